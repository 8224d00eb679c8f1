using System.Globalization;
using System.Text;

namespace Porthole.Execution.Sandbox;

/// <summary>
/// The sandbox's <c>/etc/passwd</c>: the host's, but with the node's home as the home of the account its jobs run as.
/// Programs that find the home in the password file rather than in <c>HOME</c> (ssh and so git's checkout over ssh,
/// <c>~user</c> in a shell, sshd's starting folder) then find the job's own, with the keys <c>add_ssh_keys</c> put there.
/// </summary>
internal static class NodePasswd
{
    /// <summary>Writes the file into the node's scratch folder (the runner's) and returns its path; null when there is none to write.</summary>
    public static string? Write(JobIsolation isolation, string workspace)
    {
        // The account a job runs as in the sandbox: the job account of a root runner, or root in a user namespace.
        var uid = isolation.Account?.Uid ?? (isolation.UserNamespace ? 0 : (int?)null);
        var home = Path.Combine(workspace, "home");
        if (uid is null || !Directory.Exists(Path.Combine(workspace, "scratch")) || home.Contains(':', StringComparison.Ordinal) || home.Any(char.IsControl))
        {
            return null;
        }

        string[] lines;
        try
        {
            lines = File.ReadAllLines("/etc/passwd");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        var uidText = uid.Value.ToString(CultureInfo.InvariantCulture);
        var text = new StringBuilder();
        var found = false;
        foreach (var line in lines)
        {
            var fields = line.Split(':');
            if (!found && fields.Length == 7 && fields[2] == uidText)
            {
                fields[5] = home;
                found = true;
            }

            text.Append(string.Join(':', fields)).Append('\n');
        }

        if (!found && isolation.Account is { } account)
        {
            // An account known to the host through NSS only: files come first in Debian's nsswitch.conf.
            text.Append(CultureInfo.InvariantCulture, $"{account.Name}:x:{account.Uid}:{account.Gid}::{home}:/bin/bash\n");
        }

        var path = Path.Combine(workspace, "scratch", "passwd");
        File.Delete(path);
        File.WriteAllText(path, text.ToString(), new UTF8Encoding(false));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        return path;
    }
}
