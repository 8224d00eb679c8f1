using System.Globalization;
using System.Text;

namespace Porthole.Ssh.Keys;

/// <summary>
/// A node as a <c>Host</c> block of <c>~/.ssh/config</c> (R-BEY-5), so that any ssh client, scp, rsync and VS Code
/// Remote-SSH reach it by one name with its host key pinned: <c>HostKeyAlias</c> names the key in a known_hosts file of
/// Porthole's, checked strictly (no trust on first use). Shared by <c>porthole ssh --config</c> and the job's page.
/// </summary>
public static class SshConfigHost
{
    /// <summary>The node's name in ssh's config: stable for a job and node, whatever port its next SSH rerun gets.</summary>
    public static string Alias(long jobId, int nodeIndex) => string.Create(CultureInfo.InvariantCulture, $"porthole-{jobId}-{nodeIndex}");

    /// <summary>The known_hosts file the job page's Host block names: the page cannot write one, so the user adds the line there.</summary>
    public const string WebKnownHostsPath = "~/.ssh/porthole_known_hosts";

    /// <summary>The known_hosts line that pins <paramref name="hostKey"/> (<c>type base64</c>) for the alias.</summary>
    public static string KnownHostsLine(string alias, string hostKey) => alias + " " + hostKey.Trim();

    /// <param name="knownHostsPath">The known_hosts file with the alias's line (<see cref="KnownHostsLine"/>); <c>~</c> is the user's home.</param>
    /// <param name="identityFile">The key to offer; null: a comment asking for one of the accepted keys.</param>
    public static string Render(string alias, string host, int port, string user, string knownHostsPath, string? identityFile)
    {
        var text = new StringBuilder();
        void Line(string line) => text.Append(line).Append('\n');
        Line("Host " + alias);
        Line("  HostName " + host);
        Line(string.Create(CultureInfo.InvariantCulture, $"  Port {port}"));
        Line("  User " + user);
        Line("  HostKeyAlias " + alias);
        Line("  UserKnownHostsFile " + OpenSshText.ConfigValue(knownHostsPath));
        Line("  StrictHostKeyChecking yes");
        Line(identityFile is null ? "  # IdentityFile ~/.ssh/YOUR_KEY: one of the keys the node accepts" : "  IdentityFile " + OpenSshText.ConfigValue(identityFile));
        Line("  IdentitiesOnly yes");
        return text.ToString();
    }

    /// <summary>VS Code's link that opens the node's working directory over Remote-SSH (or the home folder when it is not known).</summary>
    public static string VsCodeLink(string alias, string? workingDirectory)
    {
        var folder = workingDirectory is { Length: > 0 } and ['/', ..]
            ? string.Join('/', workingDirectory.Split('/').Select(Uri.EscapeDataString))
            : string.Empty;
        return "vscode://vscode-remote/ssh-remote+" + alias + folder;
    }
}
