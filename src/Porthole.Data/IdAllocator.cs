using Microsoft.EntityFrameworkCore;

namespace Porthole.Data;

/// <summary>
/// Hands out ids for pipelines, workflows and jobs from one increasing sequence, so that no number ever names
/// two things and a pipeline id given where a job id is wanted is always recognised (R-ID-1).
/// The reservation is one statement the database does atomically (an <c>UPDATE … RETURNING</c>, which both SQLite and
/// PostgreSQL read), so two servers on one database never hand out the same id; in a transaction, the sequence's row
/// stays locked until it ends.
/// </summary>
public static class IdAllocator
{
    private const string Sequence = "pipeline-objects";

    public static Task<long> NextAsync(PortholeDb db, CancellationToken ct) => ReserveAsync(db, 1, ct);

    /// <summary>Reserves <paramref name="count"/> consecutive ids in one write and returns the first.</summary>
    public static async Task<long> ReserveAsync(PortholeDb db, int count, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        long step = count;
        await db.Database.ExecuteSqlAsync(
            $"""INSERT INTO "IdSequences" ("Name", "Next") VALUES ({Sequence}, 1) ON CONFLICT ("Name") DO NOTHING""", ct);
        var next = await db.Database
            .SqlQuery<long>($"""UPDATE "IdSequences" SET "Next" = "Next" + {step} WHERE "Name" = {Sequence} RETURNING "Next" AS "Value" """)
            .ToListAsync(ct);
        return next.Single() - step;
    }
}
