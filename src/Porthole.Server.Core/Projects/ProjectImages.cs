using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Plans;
using Porthole.Data;

namespace Porthole.Server.Projects;

/// <summary>A project's image table (issue 13) as a lease hands it to the runner; <c>ProjectImagesApi</c> reads and replaces it.</summary>
public static class ProjectImages
{
    /// <summary>
    /// The entries of the project's image table that a job's chosen containers (<see cref="ContainerSpec.Choice"/>, only
    /// Travis jobs have them) may use: each choice's exact key and its bare name. Empty, without a query, when the job has
    /// no such container.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, string>> ForJobAsync(PortholeDb db, long projectId, JobPlan plan, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(plan);
        var choices = plan.Executor.Containers.Select(c => c.Choice).OfType<ImageChoice>().ToList();
        if (choices.Count == 0)
        {
            return new Dictionary<string, string>();
        }

        var wanted = new HashSet<string>(choices.SelectMany(c => new[] { c.ToString(), c.Name }), StringComparer.OrdinalIgnoreCase);
        var table = await db.ProjectImages.Where(i => i.ProjectId == projectId).OrderBy(i => i.Choice).ToListAsync(ct);
        return table.Where(i => wanted.Contains(i.Choice)).ToDictionary(i => i.Choice, i => i.Image, StringComparer.OrdinalIgnoreCase);
    }
}
