using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Api;
using Porthole.Contracts.Runners;
using Porthole.Data;

namespace Porthole.Server.Runners.Registry;

/// <summary>
/// Whether a queued job can be taken by a runner that is up (issue 14): the job's page says so when none can, instead
/// of the job waiting without a word. A runner is up when it was heard from within the lease duration; a runner a node is
/// kept from (<see cref="NodeRecord.AvoidRunnerId"/>: it lost the attempt this one retries) does not count for that node.
/// </summary>
public static class RunnerAvailability
{
    /// <summary>Why no runner up now can take <paramref name="job"/> while a node of it is queued; null when one can (or nothing is queued).</summary>
    public static async Task<string?> NoRunnerAsync(PortholeDb db, JobRecord job, IEnumerable<NodeRecord> nodes, DateTimeOffset now, TimeSpan upWithin, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(job);
        var queued = nodes.Where(n => n.Status == Status.Queued).ToList();
        if (queued.Count == 0)
        {
            return null;
        }

        var needs = RunnerLabels.Parse(job.RunnerLabels);
        var since = now - upWithin;
        var up = (await db.Runners.AsNoTracking().Where(r => r.LastHeartbeatAt != null).ToListAsync(ct))
            .Where(r => r.LastHeartbeatAt >= since)
            .OrderBy(r => r.Name, StringComparer.OrdinalIgnoreCase)
            .ToList();
        var covering = up.Where(r => RunnerLabels.Covers(RunnerLabels.Effective(r.Labels), needs)).ToList();
        if (covering.Any(r => queued.Any(n => n.AvoidRunnerId != r.Id)))
        {
            return null;
        }

        var wants = $"it needs a runner labelled {string.Join(", ", needs)}";
        if (covering.Count > 0)
        {
            // Every queued node is kept from each of them: that is one runner, the one that lost the attempt retried here.
            var lost = string.Join(", ", covering.Select(r => r.Name));
            return $"No runner other than {lost}, which lost the previous attempt, can take this job: a retry never goes back to the runner that lost it, and {wants}. Start another runner (porthole runner) or wait for one.";
        }

        if (up.Count == 0)
        {
            return $"No runner can take this job: no runner is up, and {wants}. Start one (porthole runner) or wait for one.";
        }

        var have = string.Join("; ", up.Take(10).Select(r => $"{r.Name} has {string.Join(", ", RunnerLabels.Effective(r.Labels))}"));
        return $"No runner can take this job: {wants} ({have}). Start a runner with --labels {string.Join(",", needs.Except(RunnerLabels.LinuxKinds))} or change the job's resource_class.";
    }
}
