using Porthole.Contracts.Ssh;
using Porthole.Execution.Logging;

namespace Porthole.Ssh.Endpoints;

/// <summary>
/// How long an SSH node waits (R-SSH-8, R-BEY-4), on the injected clock so that tests run it in milliseconds: a first
/// connection within <see cref="SshWaitRules.FirstConnection"/>; while anyone is connected, up to
/// <see cref="SshWaitRules.Session"/> after the first connection, plus what <see cref="Extend"/> added (never past
/// <see cref="SshWaitRules.Cap"/>); after the last session closes, <see cref="SshWaitRules.Grace"/> for the next
/// connection (zero: the node ends at once, CircleCI's rule). <see cref="Release"/> ends it now. Every change of when
/// the wait ends is told (<c>report</c>), and so is each of the last 5 minutes and the last minute (<c>notice</c>).
/// A debug session's time limit is such a wait too (<see cref="SshWaitRules.FromStart"/>): its session time counts from
/// the wait's start, whoever is connected.
/// </summary>
internal sealed class SshWait(SshConnections connections, TimeProvider timeProvider, SshWaitRules rules, Func<SshWindow, Task> report, Func<string?, Task> notice)
{
    public SshWaitRules Rules => rules;

    private static readonly TimeSpan[] NoticesBefore = [TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(1)];

    private readonly Lock _gate = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TimeSpan _extension;
    private string? _releasedBy;
    private DateTimeOffset? _start;

    /// <summary>
    /// Adds <paramref name="by"/> to the wait, up to the cap; answers what it did, in words for the one who asked.
    /// Refused (and nothing changes) when it would go past the cap or is not positive.
    /// </summary>
    public SshExtension Extend(TimeSpan by)
    {
        if (by <= TimeSpan.Zero)
        {
            return SshExtension.Refused("porthole-extend: the time to add must be more than zero, e.g. 30m or 1h.");
        }

        lock (_gate)
        {
            var room = rules.Cap - rules.Session - _extension;
            if (by > room)
            {
                return SshExtension.Refused(room <= TimeSpan.Zero
                    ? $"porthole-extend: this node already stays as long as it may: {DurationText.Format(rules.Cap)} after {rules.CapFrom} is the cap."
                    : $"porthole-extend: {DurationText.Format(by)} is past this node's cap of {DurationText.Format(rules.Cap)} after {rules.CapFrom}: at most {DurationText.Format(room)} more.");
            }

            _extension += by;
            Wake();
        }

        var (end, _) = EndsAt(timeProvider.GetUtcNow());
        return SshExtension.Done(end, $"porthole-extend: {DurationText.Format(by)} added; the node now stays until {end:HH:mm:ss} UTC ({DurationText.Format(end - timeProvider.GetUtcNow())} from now).");
    }

    /// <summary>Ends the wait now: <paramref name="by"/> asked for it (<c>porthole-release</c>, the API, the web).</summary>
    public void Release(string by)
    {
        lock (_gate)
        {
            _releasedBy ??= by;
            Wake();
        }
    }

    /// <summary>Waits until the node may end, and says why.</summary>
    public async Task<string> RunAsync(DateTimeOffset start, CancellationToken canceled)
    {
        lock (_gate)
        {
            _start = start;
        }

        SshWindow? reported = null;
        var noticed = new HashSet<(DateTimeOffset, TimeSpan)>();
        try
        {
            while (true)
            {
                if (canceled.IsCancellationRequested)
                {
                    return "The job was canceled; closing SSH sessions.";
                }

                Task changed;
                Task ours;
                string? releasedBy;
                lock (_gate)
                {
                    releasedBy = _releasedBy;
                    ours = _changed.Task;
                }

                if (releasedBy is not null)
                {
                    return $"Released by {releasedBy}; the node ends.";
                }

                changed = connections.Changed;
                var now = timeProvider.GetUtcNow();
                var (end, endsBy) = EndsAt(now);
                if (now >= end)
                {
                    return endsBy switch
                    {
                        SshWindowEnd.FirstConnection => $"No SSH session within {DurationText.Format(rules.FirstConnection + Extension)}; the node ends.",
                        SshWindowEnd.Grace => rules.Grace == TimeSpan.Zero
                            ? "The last SSH session closed; the node ends."
                            : $"The last SSH session closed and nobody connected within {DurationText.Format(rules.Grace)}; the node ends.",
                        _ when rules.FromStart => $"The debug session ended: {DurationText.Format(SessionTime)} are up.",
                        _ => $"The node reached {DurationText.Format(SessionTime)} since the first SSH connection; closing sessions.",
                    };
                }

                var window = new SshWindow(end, endsBy);
                if (window != reported)
                {
                    if (reported?.EndsBy == SshWindowEnd.Grace && endsBy != SshWindowEnd.Grace)
                    {
                        // Someone connected within the grace: its notice ("unless someone connects") is no longer true.
                        await notice(null);
                    }

                    await report(window);
                    reported = window;
                }

                // A notice 5 minutes and 1 minute before the end, once for each end it is about.
                var next = end;
                foreach (var before in NoticesBefore)
                {
                    var at = end - before;
                    if (now >= at)
                    {
                        if (noticed.Add((end, before)) && end - now > before - TimeSpan.FromSeconds(30))
                        {
                            await notice(NoticeText(end - now, endsBy, rules.JobId));
                        }
                    }
                    else if (at < next)
                    {
                        next = at;
                    }
                }

                // The clock read again: the report and the notice may have taken a while (or a test's clock moved meanwhile).
                var delay = next - timeProvider.GetUtcNow();
                if (delay <= TimeSpan.Zero)
                {
                    continue;
                }

                using var wake = CancellationTokenSource.CreateLinkedTokenSource(canceled);
                var timer = Task.Delay(delay, timeProvider, wake.Token);
                await Task.WhenAny(changed, ours, timer);
                await wake.CancelAsync();
            }
        }
        finally
        {
            await report(new SshWindow(null, null));
        }
    }

    /// <summary>The session time as extended so far.</summary>
    private TimeSpan SessionTime => rules.Session + Extension;

    private TimeSpan Extension
    {
        get
        {
            lock (_gate)
            {
                return _extension;
            }
        }
    }

    /// <summary>When the wait ends as things stand at <paramref name="now"/>, and what ends it then.</summary>
    private (DateTimeOffset End, string EndsBy) EndsAt(DateTimeOffset now)
    {
        DateTimeOffset start;
        lock (_gate)
        {
            start = _start ?? now;
        }

        var extension = Extension;
        if (rules.FromStart)
        {
            return (start + rules.Session + extension, SshWindowEnd.SessionCap);
        }

        if (connections.FirstConnectionAt is not { } first)
        {
            return (start + rules.FirstConnection + extension, SshWindowEnd.FirstConnection);
        }

        var cap = first + rules.Session + extension;
        if (connections.OpenCount == 0 && connections.LastClosedAt is { } closed)
        {
            var grace = closed + rules.Grace;
            return grace < cap ? (grace, SshWindowEnd.Grace) : (cap, SshWindowEnd.SessionCap);
        }

        return (cap, SshWindowEnd.SessionCap);
    }

    private static string NoticeText(TimeSpan left, string endsBy, long jobId) =>
        endsBy == SshWindowEnd.Grace
            ? $"Porthole: this node ends in {DurationText.Format(RoundUp(left))} unless someone connects."
            : string.Create(
                System.Globalization.CultureInfo.InvariantCulture,
                $"Porthole: this node ends in {DurationText.Format(RoundUp(left))}: porthole-extend 30m adds time (porthole ssh extend {jobId} from outside); porthole-release ends it now.");

    private static TimeSpan RoundUp(TimeSpan left) => TimeSpan.FromSeconds(Math.Ceiling(left.TotalSeconds / 10) * 10);

    private void Wake()
    {
        var changed = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult();
    }
}

/// <summary>The Wait for SSH rules of one node (R-SSH-8, R-BEY-4).</summary>
internal sealed record SshWaitRules(TimeSpan FirstConnection, TimeSpan Session, TimeSpan Cap, TimeSpan Grace)
{
    /// <summary>The node's job, for the notices' <c>porthole ssh extend JOB</c>.</summary>
    public long JobId { get; init; }

    /// <summary>
    /// A debug session's time limit (R-DBG-5): <see cref="Session"/> and the cap count from the wait's start, not from the
    /// first connection, and neither the first connection's timeout nor the grace applies.
    /// </summary>
    public bool FromStart { get; init; }

    /// <summary>What the cap counts from, in words.</summary>
    public string CapFrom => FromStart ? "the debug session's start" : "the first connection";

    /// <summary>The rules of a debug session that may live <paramref name="timeout"/> and be extended up to <paramref name="cap"/> (never less than the timeout).</summary>
    public static SshWaitRules ForDebug(TimeSpan timeout, TimeSpan cap, long jobId) =>
        new(timeout, timeout, cap > timeout ? cap : timeout, TimeSpan.Zero) { JobId = jobId, FromStart = true };
}

/// <summary>What <see cref="SshWait.Extend"/> did: the new end, or why nothing changed; <see cref="Text"/> says it.</summary>
internal sealed record SshExtension(bool Extended, DateTimeOffset? EndsAt, string Text)
{
    public static SshExtension Done(DateTimeOffset endsAt, string text) => new(true, endsAt, text);

    public static SshExtension Refused(string text) => new(false, null, text);
}
