using System.Globalization;
using Porthole.Execution.Executors;

namespace Porthole.Execution.Docker;

/// <summary>
/// Who the steps run as in the primary container (the config's <c>user</c>, else the image's, else root), as the
/// container itself answers: ids, home, and whether the image has bash and git.
/// </summary>
internal sealed record ContainerUser(string Name, int Uid, int Gid, string Home, string? BashPath, bool HasGit)
{
    /// <summary>What <see cref="Parse"/> reads: one answer a line.</summary>
    public const string ProbeScript =
        "id -u; id -g; printf '%s\\n' \"$HOME\"; command -v bash || echo; command -v git || echo; "
        + "for p in /usr/lib/openssh/sftp-server /usr/libexec/openssh/sftp-server /usr/lib/sftp-server /usr/libexec/sftp-server; do "
        + "if [ -x \"$p\" ]; then echo \"$p\"; exit 0; fi; done; command -v sftp-server || echo";

    public bool HasBash => BashPath is not null;

    /// <summary>The image's SFTP server (for scp and sftp into the container); null when it has none.</summary>
    public string? SftpServer { get; init; }

    public static ContainerUser Parse(string name, string output, string image)
    {
        var lines = output.Split('\n');
        if (lines.Length < 6
            || !int.TryParse(lines[0], NumberStyles.None, CultureInfo.InvariantCulture, out var uid)
            || !int.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out var gid))
        {
            var said = output.Trim();
            throw new ExecutorException($"The image '{image}' could not run the executor's first command as user '{name}': {(said.Length == 0 ? "it printed nothing" : said)}");
        }

        var home = lines[2].Trim();
        var bash = lines[3].Trim();
        var sftp = lines[5].Trim();
        return new ContainerUser(name, uid, gid, home.StartsWith('/') ? home : "/", bash.StartsWith('/') ? bash : null, lines[4].Trim().Length > 0)
        {
            SftpServer = sftp.StartsWith('/') ? sftp : null,
        };
    }
}
