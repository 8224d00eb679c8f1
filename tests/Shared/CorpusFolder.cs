namespace Porthole.Testing;

/// <summary>
/// The shared corpus of real configs (<c>shared/corpus</c>), found by walking up from the test binaries: it sits beside
/// the repository (beside <c>main/</c> here, and beside the fresh clone in CI). Linked into every suite that reads it.
/// </summary>
internal static class CorpusFolder
{
    private static readonly Lazy<string> Found = new(Find);

    public static string Root => Found.Value;

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "shared", "corpus");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"no shared/corpus beside any folder above {AppContext.BaseDirectory}");
    }
}
