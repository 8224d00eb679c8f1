namespace Porthole.Pipeline.CircleCi;

/// <summary>
/// Drops the jobs of a workflow that do not run for the pipeline's branch or tag (dialects.md §A6). A job whose filters
/// do not admit it is dropped; a <c>requires</c> on a dropped job is ignored, but a job all of whose requirements were
/// dropped is dropped too (CR <c>requires</c>: "if all dependencies of a job are filtered, that job doesn't execute
/// either"). On a tag, that is why every upstream job of a tagged job needs a tag filter as well.
/// </summary>
internal static class WorkflowFilter
{
    /// <summary>The jobs that run, in list order, their <c>requires</c> without the dropped jobs.</summary>
    public static IReadOnlyList<WorkflowJob> Apply(IReadOnlyList<WorkflowJob> jobs, string? branch, string? tag)
    {
        var dropped = new HashSet<string>(StringComparer.Ordinal);
        var kept = new Dictionary<string, WorkflowJob>(StringComparer.Ordinal);
        foreach (var job in RequiresGraph.DependencyOrder(jobs))
        {
            var admitted = job.Filters?.Admits(branch, tag) ?? JobFilters.AdmitsUnfiltered(branch, tag);
            var requires = job.Requires.Where(required => !dropped.Contains(required.Name)).ToList();
            if (!admitted || (job.Requires.Count > 0 && requires.Count == 0))
            {
                dropped.Add(job.Name);
                continue;
            }

            kept[job.Name] = requires.Count == job.Requires.Count ? job : job with { Requires = requires };
        }

        return [.. jobs.Where(job => kept.ContainsKey(job.Name)).Select(job => kept[job.Name])];
    }
}
