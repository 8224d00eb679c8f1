using System.Globalization;
using Porthole.Contracts.Runners;
using Porthole.Contracts.Ssh;
using Porthole.Execution.Executors;
using Porthole.Ssh.Debugging;

namespace Porthole.Ssh.Endpoints;

/// <summary>
/// A debug session's time limit (R-DBG-5, R-BEY-4): <see cref="SessionTimeout"/> after the session's start, plus what
/// <c>porthole-extend</c> added (in a window, or a writer through the API), never past the SSH cap after the start;
/// <c>porthole-release</c> ends it now. It is an <see cref="SshWait"/> that counts from its start
/// (<see cref="SshWaitRules.FromStart"/>): its end is reported to the server as an SSH node's is and shown on the tmux
/// status line, and the notices 5 minutes and 1 minute before it go into the job's log and to every attached client.
/// </summary>
internal sealed class DebugLimit
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(30);

    private readonly ReportQueue _reports;
    private readonly ISshEventSink _sink;
    private readonly TimeProvider _timeProvider;
    private readonly Lock _gate = new();
    private DebugSession? _session;
    private DebugLog? _log;

    public DebugLimit(NodeAssignment assignment, SshRequest ssh, SshConnections connections, ReportQueue reports, ISshEventSink sink, TimeProvider timeProvider)
    {
        _reports = reports;
        _sink = sink;
        _timeProvider = timeProvider;
        SessionTimeout = assignment.Debug is { Timeout: var timeout } && timeout > TimeSpan.Zero ? timeout : DefaultTimeout;
        Wait = new SshWait(connections, timeProvider, SshWaitRules.ForDebug(SessionTimeout, ssh.ExtendCap, assignment.JobId), ReportAsync, NoticeAsync);
    }

    /// <summary>How long a debug session may live before any extension (<see cref="DebugRequest.Timeout"/>, 30 minutes by default).</summary>
    public TimeSpan SessionTimeout { get; }

    /// <summary>The wait itself: <see cref="SshWait.Extend"/> and <see cref="SshWait.Release"/> reach the session through it.</summary>
    public SshWait Wait { get; }

    /// <summary>The most the session may live after its start, every extension counted.</summary>
    public TimeSpan Cap => Wait.Rules.Cap;

    /// <summary>
    /// Keeps the limit of <paramref name="session"/>, which starts now, answering its windows' <c>porthole-extend</c> and
    /// <c>porthole-release</c> (<paramref name="commands"/>), until the time is up, a release, or <paramref name="stop"/>.
    /// Returns the Debug section's last words: "The debug session ended: 30m0s are up.", "Released by …; the node ends."
    /// </summary>
    public async Task<string> RunAsync(DebugSession session, DebugLog log, SessionCommands commands, CancellationToken stop)
    {
        lock (_gate)
        {
            _session = session;
            _log = log;
        }

        using var stopCommands = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var answering = commands.RunAsync(Wait, stopCommands.Token);
        try
        {
            return await Wait.RunAsync(_timeProvider.GetUtcNow(), stop);
        }
        finally
        {
            await stopCommands.CancelAsync();
            await answering;
            lock (_gate)
            {
                _session = null;
                _log = null;
            }
        }
    }

    /// <summary>The session's end to the server (the job's page, <c>porthole jobs</c>) and on the status line of every client.</summary>
    private async Task ReportAsync(SshWindow window)
    {
        await _reports.DeliverAsync(() => _sink.WindowAsync(window), CancellationToken.None);
        if (window.EndsAt is { } end && Session is { } session)
        {
            await TmuxAsync(session, ["set-option", "-g", "status-right", string.Create(CultureInfo.InvariantCulture, $"Porthole: until {end:HH:mm:ss} UTC ")]);
        }
    }

    /// <summary>A notice before the end: into the job's log, and shown to every client attached now; null (a grace's notice taken back) has no grace here.</summary>
    private async Task NoticeAsync(string? text)
    {
        if (text is null)
        {
            return;
        }

        DebugLog? log;
        lock (_gate)
        {
            log = _log;
        }

        if (log is not null)
        {
            await log.WriteAsync(text + "\n", newLine: true);
        }

        if (Session is not { } session)
        {
            return;
        }

        var clients = await TmuxAsync(session, ["list-clients", "-t", DebugScripts.SessionName, "-F", "#{client_name}"]);
        foreach (var client in (clients ?? string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // display-message expands formats: a literal # is ##.
            await TmuxAsync(session, ["display-message", "-c", client, text.Replace("#", "##", StringComparison.Ordinal)]);
        }
    }

    private DebugSession? Session
    {
        get
        {
            lock (_gate)
            {
                return _session;
            }
        }
    }

    /// <summary>A tmux command for the session's clients; null when it failed (the session ended meanwhile: nobody is left to tell).</summary>
    private static async Task<string?> TmuxAsync(DebugSession session, IReadOnlyList<string> arguments)
    {
        try
        {
            return await session.RunTmuxAsync(arguments, CancellationToken.None);
        }
        catch (Exception e) when (e is InvalidOperationException or ExecutorException or IOException)
        {
            return null;
        }
    }
}
