namespace Porthole.Server.JobData;

/// <summary>The rule for a path a node names in job data (an artifact's, a workspace file's): relative, '/'-separated, inside.</summary>
public static class StoredPath
{
    public const int MaxLength = 4096;

    /// <summary>Why <paramref name="path"/> cannot be stored, or null when it can.</summary>
    public static string? Problem(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return "a path is empty";
        }

        var shown = Api.MessageText.Shorten(path);
        if (path.Length > MaxLength)
        {
            return $"the path '{shown}' is longer than {MaxLength} characters";
        }

        if (path.Contains('\0', StringComparison.Ordinal) || path.Contains('\\', StringComparison.Ordinal))
        {
            return $"the path '{shown}' holds a NUL or a backslash; paths are '/'-separated";
        }

        if (path.StartsWith('/'))
        {
            return $"the path '{shown}' is absolute; it must be relative";
        }

        if (path.Split('/').Any(segment => segment is "" or "." or ".."))
        {
            return $"the path '{shown}' has an empty, '.' or '..' part";
        }

        return null;
    }
}
