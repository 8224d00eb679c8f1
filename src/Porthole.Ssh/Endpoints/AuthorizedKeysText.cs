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

    public static string Render(IEnumerable<KeyGrant> grants, string bashPath, string attachScriptPath)
    {
        var text = new StringBuilder();
        foreach (var grant in grants)
        {
            // The command is run by the account's shell; inside authorized_keys' double quotes only \" is an escape,
            // and the paths hold no double quote (NodeSshFiles refuses them), nor do user names and fingerprints.
            var command = $"exec {ShellQuote.Single(bashPath)} {ShellQuote.Single(attachScriptPath)} {grant.SafeUserName} {grant.Fingerprint}{(grant.ReadOnly ? " " + ReadOnlyFlag : string.Empty)}";
            text.Append("restrict,pty,command=\"")
                .Append(command.Replace("\"", "\\\"", StringComparison.Ordinal))
                .Append("\" ")
                .Append(grant.Key.KeyText)
                .Append('\n');
        }

        return text.ToString();
    }
}
