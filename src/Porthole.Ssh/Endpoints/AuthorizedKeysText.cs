using System.Text;

namespace Porthole.Ssh.Endpoints;

/// <summary>
/// The node's authorized_keys: one line per granted key, restricted (no forwarding, but a pty), with a forced command
/// that names the key's owner and fingerprint, so that every session goes through the attach script.
/// </summary>
internal static class AuthorizedKeysText
{
    public static string Render(IEnumerable<KeyGrant> grants, string bashPath, string attachScriptPath)
    {
        var text = new StringBuilder();
        foreach (var grant in grants)
        {
            // The command is run by the account's shell; inside authorized_keys' double quotes only \" is an escape,
            // and the paths hold no double quote (NodeSshFiles refuses them), nor do user names and fingerprints.
            var command = $"exec {ShellQuote.Single(bashPath)} {ShellQuote.Single(attachScriptPath)} {grant.SafeUserName} {grant.Fingerprint}";
            text.Append("restrict,pty,command=\"")
                .Append(command.Replace("\"", "\\\"", StringComparison.Ordinal))
                .Append("\" ")
                .Append(grant.Key.KeyText)
                .Append('\n');
        }

        return text.ToString();
    }
}
