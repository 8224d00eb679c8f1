using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Porthole.Server.Data;

/// <summary>
/// The data folder holds every secret (variables, token hashes, logs, mirrors), so it is the server account's alone:
/// the folder is 0700 and the database with its -wal and -shm 0600, whatever the umask. A folder or file left looser by
/// an older server is tightened at start, with a warning in the log.
/// </summary>
public sealed partial class DataFolder(IOptions<PortholeOptions> options, ServerDatabase database, ILogger<DataFolder> logger)
{
    public const UnixFileMode PrivateFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode OthersAccess =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Before the database is opened: the folders, and (with SQLite) the database file made 0600 before SQLite makes it.</summary>
    public void Prepare()
    {
        var settings = options.Value;
        Directory.CreateDirectory(settings.DataDirectory, PrivateFolder);
        Tighten(settings.DataDirectory);
        foreach (var folder in (string[])[settings.LogDirectory, settings.WorkspaceDirectory, settings.RepositoryDirectory])
        {
            Directory.CreateDirectory(folder, PrivateFolder);
        }

        if (!database.IsSqlite)
        {
            return;
        }

        // SQLite makes the -wal and -shm (and -journal) with the database file's own mode, so this one file decides.
        try
        {
            using var created = new FileStream(settings.DatabasePath, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = PrivateFile,
            });
        }
        catch (IOException) when (File.Exists(settings.DatabasePath))
        {
        }

        TightenDatabase();
    }

    /// <summary>The database and the files SQLite keeps beside it; again once it is open, for those an older server left.</summary>
    public void TightenDatabase()
    {
        var database = options.Value.DatabasePath;
        foreach (var file in (string[])[database, database + "-wal", database + "-shm", database + "-journal"])
        {
            if (File.Exists(file))
            {
                Tighten(file);
            }
        }
    }

    private void Tighten(string path)
    {
        var mode = File.GetUnixFileMode(path);
        if ((mode & OthersAccess) == 0)
        {
            return;
        }

        var tightened = mode & ~OthersAccess;
        File.SetUnixFileMode(path, tightened);
        LogTightened(logger, path, Octal(mode), Octal(tightened));
    }

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode, 8).PadLeft(4, '0');

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Path} was open to other accounts of this machine (mode {Old}); its mode is now {New}")]
    private static partial void LogTightened(ILogger logger, string path, string old, string @new);
}
