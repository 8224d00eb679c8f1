using System.Text.Json;
using System.Text.Json.Serialization;

namespace Porthole.Cli.Client;

/// <summary>What <c>porthole login</c> keeps: the server and the token, readable by the user alone.</summary>
public sealed record StoredLogin(
    [property: JsonPropertyName("server")] string? Server,
    [property: JsonPropertyName("token")] string? Token);

/// <summary>
/// The CLI's config file: <c>$PORTHOLE_CONFIG</c>, else <c>$XDG_CONFIG_HOME/porthole/config.json</c>,
/// else <c>~/.config/porthole/config.json</c>. Written with mode 600 in a folder of mode 700.
/// </summary>
public static class ConfigFile
{
    private const UnixFileMode FileMode600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode FolderMode700 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>The file's path, and whether its folder is Porthole's own (the default location) rather than one the user named.</summary>
    public static (string Path, bool OwnFolder) Locate(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var explicitPath = context.Environment("PORTHOLE_CONFIG");
        if (!string.IsNullOrEmpty(explicitPath))
        {
            return (Path.GetFullPath(explicitPath), false);
        }

        var configHome = context.Environment("XDG_CONFIG_HOME");
        if (string.IsNullOrEmpty(configHome) || !Path.IsPathRooted(configHome))
        {
            var home = context.Environment("HOME");
            if (string.IsNullOrEmpty(home))
            {
                home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            }

            if (string.IsNullOrEmpty(home))
            {
                throw new CliException("cannot tell where to keep the config file: set PORTHOLE_CONFIG to a file path");
            }

            configHome = Path.Combine(home, ".config");
        }

        return (Path.Combine(configHome, "porthole", "config.json"), true);
    }

    /// <summary>The stored login, or null when there is no config file.</summary>
    public static StoredLogin? Load(string path, CliContext context)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot read the config file {path}: {e.Message}");
        }

        try
        {
            return JsonSerializer.Deserialize<StoredLogin>(text, Json)
                ?? throw new JsonException("null");
        }
        catch (JsonException)
        {
            throw new CliException($"the config file {path} is not valid JSON: {Credentials.LoginHint(context)} again");
        }
    }

    /// <summary>
    /// Replaces the config file. The new content goes to a fresh file created with mode 600 (so the token is never
    /// readable by others, not even for a moment), which is then renamed over the old one.
    /// </summary>
    public static void Save(string path, bool ownFolder, StoredLogin login)
    {
        var fullPath = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(fullPath) ?? throw new CliException($"cannot write the config file {path}: it has no folder");
        var temporary = Path.Combine(folder, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            EnsureFolder(folder, ownFolder);
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = FileMode600;
            }

            using (var stream = new FileStream(temporary, options))
            {
                JsonSerializer.Serialize(stream, login, Json);
                stream.WriteByte((byte)'\n');
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, fullPath, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            throw new CliException($"cannot write the config file {fullPath}: {e.Message}");
        }
    }

    private static void EnsureFolder(string folder, bool ownFolder)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
            return;
        }

        if (!Directory.Exists(folder))
        {
            Directory.CreateDirectory(folder, FolderMode700);
        }
        else if (ownFolder)
        {
            File.SetUnixFileMode(folder, FolderMode700);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Nothing more to do: the temporary file holds what the failed write held, with mode 600.
        }
    }
}
