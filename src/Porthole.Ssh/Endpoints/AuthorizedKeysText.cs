using System.Text;

namespace Porthole.Ssh.Endpoints;

/// <summary>
/// The node's authorized_keys: one line per granted key, restricted (no forwarding, but a pty), with a forced command
/// that names the key's owner and fingerprint, so that every session goes through the attach script. The command's third
/// word is a comma-separated list of flags, left out when there is none: <c>ro</c> for a read-only key (the attach script
/// then only lets it watch a debug session, whatever the client asks: R-DBG-7), <c>web</c> for a browser terminal's key
/// (R-WEB-2), <c>open</c> for any key let in by a debug run's open access; for example <c>ro,web</c>.
/// </summary>
internal static class AuthorizedKeysText
{
    /// <summary>The flag of a read-only key.</summary>
    public const string ReadOnlyFlag = "ro";

    /// <summary>The flag of a browser terminal's key: its sessions are audited as coming from the web.</summary>
    public const string WebFlag = "web";

    /// <summary>The flag of a key let in by a debug run's open access (R-DBG-7).</summary>
    public const string OpenAccessFlag = "open";

    public static string Render(IEnumerable<KeyGrant> grants, string bashPath, string attachScriptPath)
    {
        var text = new StringBuilder();
        foreach (var grant in grants)
        {
            text.Append(Options(bashPath, attachScriptPath, grant.SafeUserName, grant.Fingerprint, grant.Flags))
                .Append(' ')
                .Append(grant.Key.KeyText)
                .Append('\n');
        }

        return text.ToString();
    }

    /// <summary>The flags word of a key's forced command, or null when it has none.</summary>
    public static string? Flags(bool readOnly, bool web)
    {
        var flags = new List<string>(2);
        if (readOnly)
        {
            flags.Add(ReadOnlyFlag);
        }

        if (web)
        {
            flags.Add(WebFlag);
        }

        return flags.Count == 0 ? null : string.Join(',', flags);
    }

    /// <summary>A line's options: restricted, a pty, and the attach script as the forced command, naming the key's owner.</summary>
    /// <param name="flags">The comma-separated flags (<see cref="Flags"/>, or <see cref="OpenAccessFlag"/>), or null.</param>
    public static string Options(string bashPath, string attachScriptPath, string userName, string fingerprint, string? flags)
    {
        // The command is run by the account's shell; inside authorized_keys' double quotes only \" is an escape,
        // and the paths hold no double quote (NodeSshFiles refuses them), nor do user names, fingerprints and flags.
        var command = $"exec {ShellQuote.Single(bashPath)} {ShellQuote.Single(attachScriptPath)} {userName} {fingerprint}{(flags is null ? string.Empty : " " + flags)}";
        return "restrict,pty,command=\"" + command.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
    }
}
