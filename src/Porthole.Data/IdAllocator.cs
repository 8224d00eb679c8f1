using Microsoft.EntityFrameworkCore;

namespace Porthole.Data;

/// <summary>
/// Hands out ids for pipelines, workflows and jobs from one increasing sequence, so that no number ever names
/// two things and a pipeline id given where a job id is wanted is always recognised (R-ID-1).
/// Callers hold the state lock and a transaction.
/// </summary>
public static class IdAllocator
{
    private const string Sequence = "pipeline-objects";

    public static Task<long> NextAsync(PortholeDb db, CancellationToken ct) => ReserveAsync(db, 1, ct);

    /// <summary>Reserves <paramref name="count"/> consecutive ids in one write and returns the first.</summary>
    public static async Task<long> ReserveAsync(PortholeDb db, int count, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var row = await db.IdSequences.SingleOrDefaultAsync(s => s.Name == Sequence, ct);
        if (row is null)
        {
            row = new IdSequence { Name = Sequence, Next = 1 };
            db.IdSequences.Add(row);
        }

        var id = row.Next;
        row.Next = id + count;
        await db.SaveChangesAsync(ct);
        return id;
    }
}
