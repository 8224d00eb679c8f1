using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Porthole.Contracts.Api;
using Porthole.Data;
using Porthole.Server.Pipelines;
using Porthole.Server.Runners;
using Porthole.Server.Runners.Registry;
using Porthole.Server.Tests.JobData;

namespace Porthole.Server.Tests.Runners;

/// <summary>A retry is kept from the runner that lost the attempt before it: from the write that makes it, and on the job's page.</summary>
public sealed partial class RetryLostNodesTests
{
    [Fact]
    public async Task A_retry_only_the_lost_runner_could_take_says_so_on_its_page_until_another_runner_is_up()
    {
        await SetRetryAsync(true);
        var (build, _) = await TriggerAsync();
        await LeaseAsync("runner-a");
        await LeaseAsync("runner-a");
        await WaitForJobAsync(build, j => j.Attempts.Count == 2);

        // runner-a is back (it leases again); runner-b, which covers the job too, was last heard at its registration.
        var registry = _server.Get<RunnerRegistry>();
        var waiting = await WaitForNoRunnerAsync(build, "runner-a", reason => reason?.StartsWith("No runner other than", StringComparison.Ordinal) == true);
        Assert.Equal(
            "No runner other than runner-a, which lost the previous attempt, can take this job: a retry never goes back to the runner "
            + "that lost it, and it needs a runner labelled machine. Start another runner (porthole runner) or wait for one.",
            waiting);

        // Once runner-b is heard from, the job only waits for it.
        Assert.Null(await WaitForNoRunnerAsync(build, "runner-b", reason => reason is null));
        var retried = await LeaseAsync("runner-b");
        Assert.Equal((build, 2), (retried.JobId, retried.Attempt));
        Assert.Equal(registry.IdOf("runner-a"), (await JobNodeAsync(retried.NodeId)).AvoidRunnerId);
    }

    [Fact]
    public async Task A_retrys_nodes_are_kept_from_the_lost_runner_in_the_write_that_makes_them()
    {
        var (build, _) = await TriggerAsync();
        var lost = _server.Get<RunnerRegistry>().IdOf("runner-a")!.Value;

        // After every write of the retry, another connection looks for a queued node of it that runner-a could lease.
        var watch = new RetryWatch(_server, build);
        var options = new DbContextOptionsBuilder<PortholeDb>(_server.Get<DbContextOptions<PortholeDb>>()).AddInterceptors(watch).Options;
        using (await _server.Get<StateLock>().EnterAsync(CancellationToken.None))
        {
            await using var db = new PortholeDb(options);
            var job = await db.Jobs.SingleAsync(j => j.Id == build);
            var requester = await db.Attempts.Where(a => a.JobId == build).Select(a => a.RequestedBy).SingleAsync();
            var retry = Assert.Single(await _server.Get<Reruns>().StartAttemptsHeldAsync(db, job.WorkflowId, [job], LostNodeRetry.Reason, requester, lost, CancellationToken.None));
            Assert.Equal(2, retry.Number);
        }

        Assert.True(watch.Writes >= 2, $"only {watch.Writes} writes were watched");
        Assert.True(watch.Leasable.Count == 0, "a write left the retry's nodes leasable by the lost runner: " + string.Join("; ", watch.Leasable));
        await using (var db = _server.Db())
        {
            var nodes = await db.Nodes.Where(n => n.JobId == build).Join(db.Attempts.Where(a => a.Number == 2), n => n.AttemptId, a => a.Id, (n, _) => n).ToListAsync();
            Assert.Equal(2, nodes.Count);
            Assert.All(nodes, n => Assert.Equal((Status.Queued, (long?)lost), (n.Status, n.AvoidRunnerId)));
        }
    }

    private async Task<NodeRecord> JobNodeAsync(long nodeId)
    {
        await using var db = _server.Db();
        return await db.Nodes.SingleAsync(n => n.Id == nodeId);
    }

    /// <summary>
    /// Marks <paramref name="runner"/> heard from and reads the job's <see cref="JobView.NoRunner"/> until
    /// <paramref name="done"/> holds (the registry writes a runner's heartbeat at most every 5 s, and a runner is up for
    /// the 2 s lease duration after it).
    /// </summary>
    private async Task<string?> WaitForNoRunnerAsync(long jobId, string runner, Func<string?, bool> done)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (true)
        {
            await _server.Get<RunnerRegistry>().HeardFromAsync(runner, CancellationToken.None);
            var reason = (await JobAsync(jobId)).NoRunner;
            if (done(reason))
            {
                return reason;
            }

            Assert.True(TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(20), $"job {jobId}'s page still says: {reason ?? "(nothing)"}");
            await Task.Delay(200);
        }
    }

    /// <summary>After each SaveChanges of the context it watches: the queued nodes of the job's attempts after the first not kept from the runner.</summary>
    private sealed class RetryWatch(JobDataServer server, long jobId) : SaveChangesInterceptor
    {
        public int Writes { get; private set; }

        public List<string> Leasable { get; } = [];

        public override async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
        {
            Writes++;
            await using var db = server.Db();
            var open = await db.Nodes
                .Where(n => n.JobId == jobId && n.Status == Status.Queued && n.AvoidRunnerId == null)
                .Join(db.Attempts.Where(a => a.Number > 1), n => n.AttemptId, a => a.Id, (n, a) => $"node {n.Index} of attempt {a.Number}")
                .ToListAsync(cancellationToken);
            Leasable.AddRange(open);
            return result;
        }
    }
}
