namespace Porthole.Runner;

/// <summary>Node workspaces: fresh folders, removed whole when the node ends.</summary>
public static class Workspaces
{
    public static void Delete(string path)
    {
        if (!Directory.Exists(path))
        {
            return;
        }

        // Steps may leave read-only files (git objects); make them writable before removing.
        foreach (var file in Directory.EnumerateFiles(path, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            File.SetAttributes(file, FileAttributes.Normal);
        }

        Directory.Delete(path, recursive: true);
    }
}
