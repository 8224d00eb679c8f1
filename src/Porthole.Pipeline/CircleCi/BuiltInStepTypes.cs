namespace Porthole.Pipeline.CircleCi;

/// <summary>CircleCI's built-in step types, for telling a misspelling of one from an unknown type.</summary>
internal static class BuiltInStepTypes
{
    private static readonly HashSet<string> Planned = new(StringComparer.Ordinal)
    {
        "checkout", "run", "setup_remote_docker", "save_cache", "restore_cache", "persist_to_workspace",
        "attach_workspace", "store_artifacts", "store_test_results", "add_ssh_keys", "deploy",
    };

    /// <summary>The built-in step type that <paramref name="type"/> is a hyphenated spelling of (<c>store-artifacts</c>), or null.</summary>
    public static string? Hyphenated(string type)
    {
        var canonical = type.Replace('-', '_');
        return canonical != type && Planned.Contains(canonical) ? canonical : null;
    }
}
