namespace Porthole.Execution.StepHandlers;

/// <summary>
/// Where a cache's paths are archived from and put back to. Paths under the node's home are kept relative to it
/// (recorded as <c>~/x</c>) so that a cache saved by one node is restored into another's home, wherever the executor
/// keeps it (a shell node's home is a folder of its own on the runner's host); any other path keeps its absolute place,
/// as on CircleCI, and the archive is then made from <c>/</c>.
/// </summary>
internal sealed record CachePaths(string Base, IReadOnlyList<string> Names, IReadOnlyList<string> Recorded)
{
    /// <summary>The paths of a save, resolved on the node.</summary>
    public static CachePaths ForSave(StepScope scope, IReadOnlyList<string> configured)
    {
        var home = scope.Node.HomeDirectory.TrimEnd('/');
        var absolute = configured.Select(p => NodePaths.Resolve(scope, p)).Distinct(StringComparer.Ordinal).ToList();
        if (home.Length > 0 && absolute.All(p => p.StartsWith(home + "/", StringComparison.Ordinal)))
        {
            var names = absolute.Select(p => p[(home.Length + 1)..]).ToList();
            return new CachePaths(home, names, [.. names.Select(n => "~/" + n)]);
        }

        var fromRoot = absolute.Select(p => p.TrimStart('/')).Where(p => p.Length > 0).ToList();
        if (fromRoot.Count < absolute.Count)
        {
            throw new StepFailedException("A cache cannot be saved from / itself.");
        }

        return new CachePaths("/", fromRoot, absolute);
    }

    /// <summary>The paths a cache was saved from, as this node puts them back.</summary>
    public static CachePaths ForRestore(StepScope scope, IReadOnlyList<string> recorded)
    {
        if (recorded.Count > 0 && recorded.All(p => p.StartsWith("~/", StringComparison.Ordinal)))
        {
            return new CachePaths(scope.Node.HomeDirectory.TrimEnd('/'), [.. recorded.Select(p => p[2..])], recorded);
        }

        return new CachePaths("/", [.. recorded.Select(p => p.TrimStart('/')).Where(p => p.Length > 0)], recorded);
    }

    /// <summary>The paths as the log shows them: where they are on this node.</summary>
    public IEnumerable<string> Shown => Names.Select(n => Base == "/" ? "/" + n : Base + "/" + n);
}
