using System.Globalization;
using Porthole.Ssh.Keys;

namespace Porthole.Cli.Ssh;

/// <summary>The arguments of the real ssh for a node: its port, the pinned host key, the chosen key, and a command if any.</summary>
internal static class SshCommandLine
{
    /// <param name="terminal">Whether standard input is a terminal: a login shell then gets one (<c>-t</c>).</param>
    /// <param name="forceTerminal">
    /// Ask for a terminal whatever standard input is and with a command too (<c>-tt</c>): a debug session is tmux, which needs one.
    /// </param>
    public static IReadOnlyList<string> For(
        SshEndpoint endpoint, string knownHostsPath, string? identityPath, bool terminal, IReadOnlyList<string> command, bool forceTerminal = false)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(command);
        var arguments = new List<string>
        {
            "-p", endpoint.Port.ToString(CultureInfo.InvariantCulture),
            "-o", "UserKnownHostsFile=" + OpenSshText.ConfigValue(knownHostsPath),
            "-o", "StrictHostKeyChecking=yes",
        };
        if (identityPath is not null)
        {
            arguments.AddRange(["-i", OpenSshText.ConfigValue(identityPath), "-o", "IdentitiesOnly=yes"]);
        }

        if (forceTerminal)
        {
            arguments.Add("-tt");
        }
        else if (terminal && command.Count == 0)
        {
            arguments.Add("-t");
        }

        arguments.Add(endpoint.Destination);
        if (command.Count > 0)
        {
            arguments.Add("--");
            arguments.AddRange(command);
        }

        return arguments;
    }

    /// <summary>
    /// A path as an ssh_config value: <c>%</c> is doubled (ssh expands <c>%d</c> and its peers in these paths) and a
    /// path with spaces is quoted (UserKnownHostsFile takes a list of files separated by spaces).
    /// </summary>
}
