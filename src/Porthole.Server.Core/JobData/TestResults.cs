using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Porthole.Contracts.Runners;
using Porthole.Data;

namespace Porthole.Server.JobData;

/// <summary>
/// The test cases nodes read from JUnit XML: stored per node up to <see cref="JobDataOptions.MaxTestCasesPerNode"/> (those past
/// it counted on the node, not stored), and the timings <c>circleci tests split --split-by=timings</c> reads back.
/// </summary>
public sealed class TestResults(IDbContextFactory<PortholeDb> dbFactory, IOptions<JobDataOptions> options)
{
    public const int MaxNameLength = 2000;
    public const int MaxMessageLength = 1000;
    public const int MaxDetailsLength = 64 * 1024;

    private readonly StripedLock _nodes = new();

    public async Task StoreAsync(long nodeId, IReadOnlyList<TestCaseResult> cases, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var node = await LeasedNode.FindAsync(db, nodeId, ct) ?? throw new InvalidOperationException(LeasedNode.NoLease(nodeId));
        if (cases is null || cases.Count == 0)
        {
            return;
        }

        using var held = await _nodes.EnterAsync(nodeId.ToString(System.Globalization.CultureInfo.InvariantCulture), ct);
        var stored = await db.TestCases.CountAsync(t => t.NodeId == nodeId, ct);
        var room = Math.Max(0, options.Value.MaxTestCasesPerNode - stored);
        var taken = cases.Where(c => c is not null).Take(room).ToList();
        var ignored = cases.Count - taken.Count;

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        using (var rows = new RowInserter<TestCaseRecord>(db))
        {
            foreach (var test in taken)
            {
                await rows.InsertAsync(Record(node, test), ct);
            }
        }

        if (ignored > 0)
        {
            await db.Nodes.Where(n => n.Id == nodeId)
                .ExecuteUpdateAsync(s => s.SetProperty(n => n.TestCasesIgnored, n => n.TestCasesIgnored + ignored), ct);
        }

        await transaction.CommitAsync(ct);
    }

    /// <summary>The cases of the most recent earlier attempt of a job of the same name in the project that stored results.</summary>
    public async Task<IReadOnlyList<TestTiming>> TimingsAsync(long nodeId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var node = await LeasedNode.FindAsync(db, nodeId, ct);
        if (node is null)
        {
            return [];
        }

        var attemptsOfName = from a in db.Attempts
                             where a.Id < node.AttemptId
                             join j in db.Jobs on a.JobId equals j.Id
                             where j.Name == node.JobName
                             join p in db.Pipelines on j.PipelineId equals p.Id
                             where p.ProjectId == node.ProjectId
                             select a.Id;
        var latest = await attemptsOfName.Where(id => db.TestCases.Any(t => t.AttemptId == id))
            .OrderByDescending(id => id).Select(id => (long?)id).FirstOrDefaultAsync(ct);
        if (latest is null)
        {
            return [];
        }

        return await db.TestCases.AsNoTracking().Where(t => t.AttemptId == latest).OrderBy(t => t.Id)
            .Select(t => new TestTiming(t.File, t.ClassName, t.Name, t.Seconds ?? 0)).ToListAsync(ct);
    }

    private static TestCaseRecord Record(LeasedNode node, TestCaseResult test)
    {
        var (result, rank) = test.Outcome switch
        {
            TestOutcome.Failed => ("failure", 0),
            TestOutcome.Error => ("error", 0),
            TestOutcome.Skipped => ("skipped", 1),
            _ => ("success", 2),
        };
        return new TestCaseRecord
        {
            JobId = node.JobId,
            AttemptId = node.AttemptId,
            Attempt = node.Attempt,
            NodeId = node.NodeId,
            NodeIndex = node.NodeIndex,
            Suite = Cut(test.Suite, MaxNameLength),
            ClassName = Cut(test.ClassName, MaxNameLength) ?? "",
            Name = Cut(test.Name, MaxNameLength) ?? "",
            File = Cut(test.File, MaxNameLength),
            Result = result,
            Rank = rank,
            Seconds = test.Seconds is { } seconds && double.IsFinite(seconds) && seconds >= 0 ? seconds : null,
            Message = Cut(test.Message, MaxMessageLength),
            Details = Cut(test.Details, MaxDetailsLength),
            Source = Cut(test.Source, MaxNameLength),
        };
    }

    /// <summary>At most <paramref name="max"/> characters, never half of a surrogate pair.</summary>
    private static string? Cut(string? text, int max) =>
        text is null || text.Length <= max ? text : text[..(char.IsHighSurrogate(text[max - 1]) ? max - 1 : max)];
}
