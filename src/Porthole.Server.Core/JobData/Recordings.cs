using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Runners;
using Porthole.Contracts.Ssh;
using Porthole.Data;
using Porthole.Server.Data;

namespace Porthole.Server.JobData;

/// <summary>
/// A node's session recordings (R-BEY-2): each names an uploaded blob (an asciicast v2 file, masked on the node) as the
/// recording of one SSH or debug session, with who opened it, how and when. At most <see cref="MaxPerNode"/> per node.
/// Stored again (a retried call, through this server or another), the same recording is not added twice. Kept as the job's log is: nothing expires them.
/// </summary>
public sealed partial class Recordings(IDbContextFactory<PortholeDb> dbFactory, TimeProvider time)
{
    public const int MaxPerNode = 1000;

    private readonly StripedLock _nodes = new();

    public async Task StoreAsync(long nodeId, SessionRecordingFile recording, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var node = await LeasedNode.FindAsync(db, nodeId, ct) ?? throw new InvalidOperationException(LeasedNode.NoLease(nodeId));
        if (recording is null)
        {
            throw new InvalidOperationException("The session recording cannot be stored: it is missing.");
        }

        if (Problem(recording) is { } problem)
        {
            throw new InvalidOperationException($"The session recording cannot be stored: {problem}.");
        }

        if (await BlobStore.UnnameableAsync(db, nodeId, recording.Digest, recording.Size, ct) is { } unnameable)
        {
            throw new InvalidOperationException($"The session recording of {recording.UserName} cannot be stored: {unnameable}.");
        }

        // To PostgreSQL's microsecond, so that a retried call finds the row it stored.
        var started = Microseconds(recording.StartedAt);
        using var held = await _nodes.EnterAsync(nodeId.ToString(CultureInfo.InvariantCulture), ct);
        var stored = await db.SessionRecordings.AnyAsync(r => r.NodeId == nodeId && r.Digest == recording.Digest && r.StartedAt == started, ct);
        if (!stored)
        {
            if (await db.SessionRecordings.CountAsync(r => r.NodeId == nodeId, ct) >= MaxPerNode)
            {
                throw new InvalidOperationException(
                    $"The session recording of {recording.UserName} cannot be stored: node {node.NodeIndex} of job {node.JobId} has "
                    + $"{MaxPerNode} recordings already, the most a node keeps.");
            }

            db.SessionRecordings.Add(new SessionRecordingRecord
            {
                JobId = node.JobId,
                AttemptId = node.AttemptId,
                Attempt = node.Attempt,
                NodeId = node.NodeId,
                NodeIndex = node.NodeIndex,
                Digest = recording.Digest,
                Size = recording.Size,
                UserName = recording.UserName,
                Fingerprint = recording.Fingerprint,
                Via = recording.Via,
                StartedAt = started,
                EndedAt = Microseconds(recording.EndedAt),
                Seconds = recording.Seconds,
                Truncated = recording.Truncated,
                CreatedAt = time.GetUtcNow(),
            });
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException e) when (ServerDatabase.IsConstraintViolation(e))
            {
                // The same call, retried through another server, stored it meanwhile (the unique index says so).
                db.ChangeTracker.Clear();
            }
        }

        await BlobStore.MarkNamedAsync(db, nodeId, recording.Digest, ct);
    }

    /// <summary>The recording <paramref name="id"/> of the attempt of the job, or null.</summary>
    public static Task<SessionRecordingRecord?> FindAsync(PortholeDb db, long jobId, int attempt, long id, CancellationToken ct) =>
        db.SessionRecordings.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id && r.JobId == jobId && r.Attempt == attempt, ct);

    /// <summary>What is wrong with the recording's own fields (not its blob), or null.</summary>
    public static string? Problem(SessionRecordingFile recording) => recording switch
    {
        { UserName: null } => "it names no user",
        _ when !UserNamePattern().IsMatch(recording.UserName) && recording.UserName != DebugRequest.OpenAccessUser =>
            $"'{Shown(recording.UserName)}' is not a user name (letters, digits, '.', '_' and '-', at most 100)",
        { Fingerprint: null } => "it names no key fingerprint",
        _ when !FingerprintPattern().IsMatch(recording.Fingerprint) =>
            $"'{Shown(recording.Fingerprint)}' is not a key fingerprint (SHA256: and 43 base64 characters, as ssh-keygen -l prints)",
        _ when recording.Via is not (SshVia.Ssh or SshVia.Web) => $"via is {SshVia.Ssh} or {SshVia.Web}, not '{Shown(recording.Via ?? "")}'",
        _ when !double.IsFinite(recording.Seconds) || recording.Seconds < 0 => "its length in seconds must be a number, 0 or more",
        _ when recording.EndedAt < recording.StartedAt => $"it ended ({recording.EndedAt:O}) before it started ({recording.StartedAt:O})",
        _ => null,
    };

    private static DateTimeOffset Microseconds(DateTimeOffset at) => new(at.UtcTicks - (at.UtcTicks % 10), TimeSpan.Zero);

    private static string Shown(string text) => Api.MessageText.Shorten(text);

    [GeneratedRegex(@"\A[A-Za-z0-9][A-Za-z0-9._-]{0,99}\z", RegexOptions.CultureInvariant)]
    private static partial Regex UserNamePattern();

    [GeneratedRegex(@"\ASHA256:[A-Za-z0-9+/]{43}\z", RegexOptions.CultureInvariant)]
    private static partial Regex FingerprintPattern();
}
