using System.Text;
using System.Text.RegularExpressions;

namespace Porthole.Ssh.Endpoints;

/// <summary>The job's environment as a file the attach script sources: <c>export NAME='value'</c>, one a line.</summary>
internal static partial class EnvironmentFileText
{
    /// <summary>What sshd sets for each session itself and must stay as sshd set it.</summary>
    private static readonly HashSet<string> SessionOwned = new(StringComparer.Ordinal)
    {
        "SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY", "SSH_ORIGINAL_COMMAND", "SSH_AUTH_SOCK", "TERM",
        "PWD", "OLDPWD", "SHLVL", "_",
    };

    public static string Render(IEnumerable<KeyValuePair<string, string>> variables)
    {
        var text = new StringBuilder("# The job's environment for SSH sessions. It holds secrets: keep it readable by its owner only.\n");
        foreach (var (name, value) in variables)
        {
            if (ValidName().IsMatch(name) && !SessionOwned.Contains(name) && !value.Contains('\0', StringComparison.Ordinal))
            {
                text.Append("export ").Append(name).Append('=').Append(ShellQuote.Single(value)).Append('\n');
            }
        }

        return text.ToString();
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex ValidName();
}
