namespace Porthole.Pipeline.CircleCi;

/// <summary>CircleCI's built-in step types that Porthole refuses, each by its own name.</summary>
internal static class RefusedStepTypes
{
    private static readonly HashSet<string> Names = new(StringComparer.Ordinal)
    {
        "save_cache",
        "restore_cache",
        "store_artifacts",
        "store_test_results",
        "persist_to_workspace",
        "attach_workspace",
        "add_ssh_keys",
        "deploy",
    };

    /// <summary>
    /// The canonical name of a refused step type, or null. CircleCI 2.0 also read the hyphenated spellings
    /// (babel writes <c>restore-cache</c>), so those are refused under the same name.
    /// </summary>
    public static string? Find(string type)
    {
        var canonical = type.Replace('-', '_');
        return Names.Contains(canonical) ? canonical : null;
    }
}
