using System.Text;
using Porthole.Cli.Client;
using Porthole.Ssh.Keys;

namespace Porthole.Cli.Ssh;

/// <summary>
/// Porthole's own known_hosts file, <c>known_hosts</c> next to the CLI's config file (mode 600): the host keys the
/// server reported for job nodes, pinned so that ssh checks them strictly instead of trusting on first use.
/// </summary>
internal static class KnownHostsFile
{
    private const UnixFileMode FileMode600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode FolderMode700 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public static string Locate(CliContext context)
    {
        var (configPath, _) = ConfigFile.Locate(context);
        var folder = Path.GetDirectoryName(configPath) ?? throw new CliException($"the config file {configPath} has no folder to keep known_hosts in");
        return Path.Combine(folder, "known_hosts");
    }

    /// <summary>Pins <paramref name="hostKey"/> for host and port, replacing an older line for the same name; the file keeps mode 600.</summary>
    public static void Pin(string path, string host, int port, PublicKeyLine hostKey) => Pin(path, OpenSshText.KnownHostsName(host, port), hostKey);

    /// <summary>Pins <paramref name="hostKey"/> under <paramref name="name"/> (a <c>HostKeyAlias</c>), replacing an older line for it.</summary>
    public static void Pin(string path, string name, PublicKeyLine hostKey)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path)) ?? throw new CliException($"cannot write {path}: it has no folder");
        var temporary = Path.Combine(folder, $".known_hosts.{Guid.NewGuid():N}.tmp");
        try
        {
            if (!Directory.Exists(folder))
            {
                Directory.CreateDirectory(folder, FolderMode700);
            }

            var lines = File.Exists(path)
                ? File.ReadAllLines(path).Where(line => !IsFor(line, name)).ToList()
                : [];
            lines.Add($"{name} {hostKey.Key}");

            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, UnixCreateMode = FileMode600 };
            using (var stream = new FileStream(temporary, options))
            using (var writer = new StreamWriter(stream, new UTF8Encoding(false)))
            {
                writer.NewLine = "\n";
                foreach (var line in lines)
                {
                    writer.WriteLine(line);
                }
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try
            {
                File.Delete(temporary);
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
                // The temporary file holds public keys only; nothing secret is left behind.
            }

            throw new CliException($"cannot write the known_hosts file {path}: {e.Message}");
        }
    }

    private static bool IsFor(string line, string name)
    {
        var fields = line.TrimStart().Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries);
        return fields.Length > 0 && fields[0].Split(',').Contains(name, StringComparer.Ordinal);
    }
}
