using System.Text;

namespace Porthole.Ssh.Endpoints;

/// <summary>
/// The node's authorized_keys: one line per granted key, restricted (no forwarding, but a pty), with a forced command
/// that names the key's owner and fingerprint, so that every session goes through the attach script. A read-only key's
/// command ends in <c>ro</c>: the attach script then only lets it watch a debug session, whatever the client asks (R-DBG-7).
/// </summary>
internal static class AuthorizedKeysText
{
    /// <summary>The forced command's third word for a read-only key.</summary>
    public const string ReadOnlyFlag = "ro";

    /// <summary>The forced command's third word for a key let in by a debug run's open access (R-DBG-7).</summary>
    public const string OpenAccessFlag = "open";

    public static string Render(IEnumerable<KeyGrant> grants, string bashPath, string attachScriptPath)
    {
        var text = new StringBuilder();
        foreach (var grant in grants)
        {
            text.Append(Options(bashPath, attachScriptPath, grant.SafeUserName, grant.Fingerprint, grant.ReadOnly ? ReadOnlyFlag : null))
                .Append(' ')
                .Append(grant.Key.KeyText)
                .Append('\n');
        }

        return text.ToString();
    }

    /// <summary>A line's options: restricted, a pty, and the attach script as the forced command, naming the key's owner.</summary>
    public static string Options(string bashPath, string attachScriptPath, string userName, string fingerprint, string? flag)
    {
        // The command is run by the account's shell; inside authorized_keys' double quotes only \" is an escape,
        // and the paths hold no double quote (NodeSshFiles refuses them), nor do user names and fingerprints.
        var command = $"exec {ShellQuote.Single(bashPath)} {ShellQuote.Single(attachScriptPath)} {userName} {fingerprint}{(flag is null ? string.Empty : " " + flag)}";
        return "restrict,pty,command=\"" + command.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
    }
}
