namespace Porthole.Testing;

/// <summary>
/// A fresh folder under the system temp folder, deleted with everything in it when the test ends. Linked into each
/// test project (tests/Shared), so every suite cleans up the same way.
/// </summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder(string prefix = "porthole-test-")
    {
        Path = Directory.CreateTempSubdirectory(prefix).FullName;
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try
        {
            if (!Directory.Exists(Path))
            {
                return;
            }

            // Steps leave read-only files (git objects); make them writable first. Never through a symbolic link: a test's
            // link may point at /etc or at another test's folder, and what it points at is not this folder's to change.
            foreach (var file in Directory.EnumerateFiles(Path, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true }))
            {
                File.SetAttributes(file, FileAttributes.Normal);
            }

            Directory.Delete(Path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A process under test may still be letting go of a file; the system's temp cleaning takes it then.
        }
    }
}
