namespace Porthole.Pipeline.CircleCi;

/// <summary>CircleCI's built-in step types that Porthole refuses, each by its own name.</summary>
internal static class RefusedStepTypes
{
    private static readonly HashSet<string> Names = new(StringComparer.Ordinal)
    {
        "add_ssh_keys",
        "deploy",
    };

    /// <summary>The built-in step types Porthole plans, for telling a misspelling of one from an unknown type.</summary>
    private static readonly HashSet<string> Planned = new(StringComparer.Ordinal)
    {
        "checkout", "run", "setup_remote_docker", "save_cache", "restore_cache", "persist_to_workspace",
        "attach_workspace", "store_artifacts", "store_test_results",
    };

    /// <summary>
    /// The canonical name of a refused step type, or null. CircleCI 2.0 also read hyphenated spellings, so those are
    /// refused under the same name.
    /// </summary>
    public static string? Find(string type)
    {
        var canonical = type.Replace('-', '_');
        return Names.Contains(canonical) ? canonical : null;
    }

    /// <summary>The planned step type that <paramref name="type"/> is a hyphenated spelling of (<c>store-artifacts</c>), or null.</summary>
    public static string? Hyphenated(string type)
    {
        var canonical = type.Replace('-', '_');
        return canonical != type && Planned.Contains(canonical) ? canonical : null;
    }
}
