namespace Porthole.Cli;

/// <summary>
/// How the user runs this CLI, for the hints that tell them what to type next ("follow its log: ./porthole logs 5 -f").
/// After the README's two commands <c>porthole</c> is not on PATH, so a hint must repeat the path the user typed.
/// </summary>
public static class CliCommandName
{
    /// <summary>The path the user invoked, as the <c>porthole</c> wrapper script sets it (its <c>$0</c>).</summary>
    public const string Variable = "PORTHOLE_INVOKED_AS";

    /// <summary>The name when nothing says how the CLI was invoked.</summary>
    public const string Default = "porthole";

    /// <summary>The command to print, for a path relative to the current folder.</summary>
    public static string Resolve(string? invokedAs, string? pathVariable) => Resolve(invokedAs, pathVariable, CurrentDirectory());

    /// <summary>
    /// The command to print: the bare file name when PATH finds this same file under it, else the path as the user typed
    /// it (relative paths stay relative: hints are read in the same folder); quoted for a POSIX shell when needed.
    /// </summary>
    public static string Resolve(string? invokedAs, string? pathVariable, string currentDirectory)
    {
        if (string.IsNullOrWhiteSpace(invokedAs))
        {
            return Default;
        }

        var name = Path.GetFileName(invokedAs);
        if (name.Length == 0)
        {
            return Default;
        }

        var invoked = Canonical(Path.GetFullPath(invokedAs, currentDirectory));
        if (FindOnPath(name, pathVariable, currentDirectory) is { } found && Canonical(found) == invoked)
        {
            return Quote(name);
        }

        // A path without a slash that PATH does not find (`bash porthole`) is a file in the current folder.
        return Quote(invokedAs.Contains('/', StringComparison.Ordinal) ? invokedAs : "./" + invokedAs);
    }

    /// <summary>The first executable file called <paramref name="name"/> in PATH's folders, as the shell looks it up.</summary>
    private static string? FindOnPath(string name, string? pathVariable, string currentDirectory)
    {
        foreach (var folder in (pathVariable ?? "").Split(':'))
        {
            if (folder.Length == 0)
            {
                continue;
            }

            var candidate = Path.GetFullPath(Path.Combine(folder, name), currentDirectory);
            if (File.Exists(candidate) && (File.GetUnixFileMode(candidate) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0)
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>The current folder; the root when it is gone (deleted under the shell), which leaves relative paths as typed.</summary>
    private static string CurrentDirectory()
    {
        try
        {
            return Directory.GetCurrentDirectory();
        }
        catch (IOException)
        {
            return "/";
        }
        catch (UnauthorizedAccessException)
        {
            return "/";
        }
    }

    /// <summary>The file a path ends at after following symbolic links, so that a link on PATH and its target compare equal.</summary>
    private static string Canonical(string path)
    {
        try
        {
            return File.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName ?? path;
        }
        catch (IOException)
        {
            return path;
        }
        catch (UnauthorizedAccessException)
        {
            return path;
        }
    }

    private static string Quote(string command) =>
        command.All(c => char.IsAsciiLetterOrDigit(c) || "/._-+:@%=,~".Contains(c, StringComparison.Ordinal)) && !command.StartsWith('~')
            ? command
            : "'" + command.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
