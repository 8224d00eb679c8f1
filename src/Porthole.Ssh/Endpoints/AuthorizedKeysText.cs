using System.Text;

namespace Porthole.Ssh.Endpoints;

/// <summary>
/// The node's authorized_keys: one line per granted key, restricted (no forwarding, but a pty), with a forced command
/// that names the key's owner and fingerprint, so that every session goes through the attach script. The command's third
/// word is a comma-separated list of flags, left out when there is none: <c>ro</c> for a read-only key (the attach script
/// then only lets it watch a debug session, whatever the client asks: R-DBG-7), <c>web</c> for a browser terminal's key
/// (R-WEB-2), <c>open</c> for any key let in by a debug run's open access; for example <c>ro,web</c>.
/// With the project's <c>ssh_port_forwarding</c> on (R-BEY-5), a key that may type also gets local port forwarding, to
/// the node's own addresses only (<c>permitopen</c>): what its sessions can reach anyway, handed to an IDE's tunnel.
/// </summary>
internal static class AuthorizedKeysText
{
    /// <summary>The flag of a read-only key.</summary>
    public const string ReadOnlyFlag = "ro";

    /// <summary>The flag of a browser terminal's key: its sessions are audited as coming from the web.</summary>
    public const string WebFlag = "web";

    /// <summary>The flag of a key let in by a debug run's open access (R-DBG-7).</summary>
    public const string OpenAccessFlag = "open";

    /// <param name="forwardHosts">
    /// The node's addresses that <c>ssh -L</c> may open (<see cref="Porthole.Execution.Executors.SessionEntry.ForwardHosts"/>)
    /// when port forwarding is on; null when it is off. Read-only and browser terminals' keys never forward.
    /// </param>
    public static string Render(IEnumerable<KeyGrant> grants, string bashPath, string attachScriptPath, IReadOnlyList<string>? forwardHosts = null)
    {
        var text = new StringBuilder();
        foreach (var grant in grants)
        {
            var forwarding = grant.ReadOnly || grant.Web ? null : forwardHosts;
            text.Append(Options(bashPath, attachScriptPath, grant.SafeUserName, grant.Fingerprint, grant.Flags, forwarding))
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

    /// <summary>
    /// A line's options: restricted, a pty, local port forwarding to <paramref name="forwardHosts"/> (any port) when
    /// given, and the attach script as the forced command, naming the key's owner.
    /// </summary>
    /// <param name="flags">The comma-separated flags (<see cref="Flags"/>, or <see cref="OpenAccessFlag"/>), or null.</param>
    public static string Options(string bashPath, string attachScriptPath, string userName, string fingerprint, string? flags, IReadOnlyList<string>? forwardHosts = null)
    {
        var forwarding = forwardHosts is { Count: > 0 }
            ? ",port-forwarding" + string.Concat(forwardHosts.Select(h => ",permitopen=\"" + ForwardTarget(h) + "\""))
            : string.Empty;
        // The command is run by the account's shell; inside authorized_keys' double quotes only \" is an escape,
        // and the paths hold no double quote (NodeSshFiles refuses them), nor do user names, fingerprints and flags.
        var command = $"exec {ShellQuote.Single(bashPath)} {ShellQuote.Single(attachScriptPath)} {userName} {fingerprint}{(flags is null ? string.Empty : " " + flags)}";
        return "restrict,pty" + forwarding + ",command=\"" + command.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
    }

    /// <summary>
    /// <c>HOST:*</c> as permitopen and sshd_config's PermitOpen take it: any port of that host, an IPv6 address in brackets.
    /// The host is a name or address the node gave (letters, digits, dots, colons, dashes), never a user's text.
    /// </summary>
    public static string ForwardTarget(string host)
    {
        if (host.Length == 0 || !host.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or ':' or '-'))
        {
            throw new ArgumentException($"'{host}' is not a host name or address that port forwarding can be limited to.", nameof(host));
        }

        return (host.Contains(':', StringComparison.Ordinal) ? "[" + host + "]" : host) + ":*";
    }
}
