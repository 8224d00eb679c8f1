using Porthole.Contracts.Api;

namespace Porthole.Server.Web.Pages;

/// <summary>A workflow's jobs in the order their <c>requires</c> let them run: a job comes after every job it requires.</summary>
public static class JobOrder
{
    /// <summary>
    /// A topological order, stable: among the jobs that may come next, the one listed first (the config's order) goes
    /// first. Requires naming no job of the workflow are ignored; a cycle (refused by the config reader) keeps its order.
    /// </summary>
    public static IReadOnlyList<JobSummary> Sort(IReadOnlyList<JobSummary> jobs)
    {
        var names = jobs.Select(j => j.Name).ToHashSet(StringComparer.Ordinal);
        var placed = new HashSet<string>(StringComparer.Ordinal);
        var remaining = jobs.ToList();
        var ordered = new List<JobSummary>(jobs.Count);
        while (remaining.Count > 0)
        {
            var next = remaining.FirstOrDefault(j => j.Requires.All(r => !names.Contains(r) || placed.Contains(r))) ?? remaining[0];
            remaining.Remove(next);
            placed.Add(next.Name);
            ordered.Add(next);
        }

        return ordered;
    }
}
