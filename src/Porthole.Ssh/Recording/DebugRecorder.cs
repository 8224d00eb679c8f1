using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Porthole.Execution.Executors;
using Porthole.Ssh.Debugging;
using Porthole.Ssh.Endpoints;

namespace Porthole.Ssh.Recording;

/// <summary>
/// Records a debug session's writers (R-BEY-2) without standing between them and the window: a read-only control-mode
/// client of the runner's (<see cref="DebugSession.StartControlClientAsync"/>) is told what the current pane writes, every
/// resize and pane change, and every client that attaches or leaves (<see cref="TmuxControlLine"/>), each stamped as it
/// comes, into a <see cref="DebugTimeline"/>. A writer's attach takes the screen it found (<c>capture-pane -e</c>). Once the
/// session is over, each writer's part becomes one recording, named by its connection's key owner as the grants say,
/// masked and handed to the sink like an SSH session's. A writer's keys are not recorded: tmux tells no client what
/// another typed; their echo is in what the window shows. Nothing of it runs in the writers' path: their clients talk to
/// the server as before, and it copies the output to one more client.
/// </summary>
internal sealed class DebugRecorder(
    DebugSession session,
    SshConnections connections,
    SecretPatterns secrets,
    ISshEventSink sink,
    TimeProvider timeProvider)
{
    private static readonly TimeSpan ClientExit = TimeSpan.FromSeconds(5);

    private readonly DebugTimeline _timeline = new();
    /// <summary>
    /// The lines not read yet. Bounded: a job that makes its session's notifications come faster than the reader asks tmux
    /// about them (pane changes, say) is held back in its own tmux server's buffers, never in the runner's memory.
    /// </summary>
    private readonly Channel<(TimeSpan At, TmuxControlLine Line)> _lines = Channel.CreateBounded<(TimeSpan, TmuxControlLine)>(
        new BoundedChannelOptions(256) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly CancellationTokenSource _stop = new();
    private long _queued;
    private long _taken;
    private CatchUp? _catchUp;
    private readonly List<string> _problems = [];
    private long _started;
    private DateTimeOffset _startedAt;
    private IStepProcess? _client;
    private Task _reading = Task.CompletedTask;
    private string _window = string.Empty;
    private string _pane = string.Empty;

    /// <summary>How many recordings were uploaded.</summary>
    public int Uploaded { get; private set; }

    /// <summary>Why recordings could not be made or kept, one line each.</summary>
    public IReadOnlyList<string> Problems => _problems;

    /// <summary>Attaches the control client; before anyone can connect, so that no writer's attach is missed.</summary>
    public async Task StartAsync(CancellationToken canceled)
    {
        _started = timeProvider.GetTimestamp();
        _startedAt = timeProvider.GetUtcNow();
        _client = await session.StartControlClientAsync(new ControlOutput(this), WaitForStopAsync, canceled);
        _reading = ReadAsync();
    }

    /// <summary>Once the tmux server has ended: lets the client go, then cuts, masks and hands over each writer's recording.</summary>
    public async Task FinishAsync()
    {
        if (_client is not { } client)
        {
            return;
        }

        await _stop.CancelAsync();
        try
        {
            await client.Exited.WaitAsync(ClientExit, timeProvider);
        }
        catch (TimeoutException)
        {
            await client.StopAsync();
        }

        _lines.Writer.TryComplete();
        await _reading;
        _timeline.End(Now);
        foreach (var slice in _timeline.Slices())
        {
            await TakeAsync(slice);
        }
    }

    /// <summary>
    /// Waits, at most <paramref name="limit"/>, until every line the control client had given is read. Called before the
    /// writers' connections are ended: a writer's attach that tmux told of already is then looked up while its client is
    /// still there, however far behind the reader was (a loaded machine, a cancel right after the writer came).
    /// </summary>
    public async Task CatchUpAsync(TimeSpan limit)
    {
        var waiter = new CatchUp(Interlocked.Read(ref _queued));
        Volatile.Write(ref _catchUp, waiter);
        if (Interlocked.Read(ref _taken) >= waiter.Target)
        {
            return;
        }

        try
        {
            await Task.WhenAny(waiter.Done.Task, _reading).WaitAsync(limit, timeProvider);
        }
        catch (TimeoutException)
        {
            // The recorder takes what it has read by the end; the writers' connections end on time.
        }
    }

    private TimeSpan Now => timeProvider.GetElapsedTime(_started);

    private async Task WaitForStopAsync(Stream stdin, CancellationToken canceled)
    {
        using var both = CancellationTokenSource.CreateLinkedTokenSource(canceled, _stop.Token);
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, timeProvider, both.Token);
        }
        catch (OperationCanceledException)
        {
            // Its stdin closes: the client detaches.
        }
    }

    private async Task ReadAsync()
    {
        await FollowWindowAsync(redraw: false);
        await foreach (var (at, line) in _lines.Reader.ReadAllAsync())
        {
            switch (line.Kind)
            {
                case TmuxControlKind.Output when line.Target == _pane:
                    _timeline.Output(at, line.Data!);
                    break;
                case TmuxControlKind.LayoutChange when line.Target == _window:
                    _timeline.Resize(at, line.Width, line.Height);
                    break;
                case TmuxControlKind.PaneChanged or TmuxControlKind.WindowChanged:
                    await FollowWindowAsync(redraw: true);
                    break;
                case TmuxControlKind.ClientAttached:
                    await AttachedAsync(at, line.Target);
                    break;
                case TmuxControlKind.ClientDetached:
                    _timeline.Detached(at, line.Target);
                    break;
            }

            var taken = Interlocked.Increment(ref _taken);
            if (Volatile.Read(ref _catchUp) is { } waiter && taken >= waiter.Target)
            {
                waiter.Done.TrySetResult();
            }
        }
    }

    /// <summary>Which window and pane are current, and their size; with <paramref name="redraw"/>, the screen drawn again.</summary>
    private async Task FollowWindowAsync(bool redraw)
    {
        var at = Now;
        if (await TmuxAsync(["display-message", "-p", "-t", DebugScripts.SessionName, "#{window_id} #{pane_id} #{window_width} #{window_height}"]) is not { } text)
        {
            return;
        }

        var fields = text.Trim().Split(' ');
        if (fields.Length != 4 || ScriptTiming.Dimension(fields[2]) is not { } width || ScriptTiming.Dimension(fields[3]) is not { } height)
        {
            return;
        }

        var changed = fields[1] != _pane;
        (_window, _pane) = (fields[0], fields[1]);
        _timeline.Resize(at, width, height);
        if (redraw && changed && await ScreenAsync() is { } screen)
        {
            _timeline.Redraw(at, screen);
        }
    }

    /// <summary>A client attached: a writer's (not a watcher's, nor a control client) gets its recording from the screen it found.</summary>
    private async Task AttachedAsync(TimeSpan at, string name)
    {
        if (await TmuxAsync(["list-clients", "-t", DebugScripts.SessionName, "-F", "#{client_name}\t#{client_pid}\t#{client_readonly}\t#{client_control_mode}"]) is not { } list)
        {
            return;
        }

        foreach (var fields in list.Split('\n').Select(l => l.Split('\t')))
        {
            if (fields.Length == 4 && fields[0] == name && fields[2] == "0" && fields[3] == "0"
                && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var processId)
                && await ScreenAsync() is { } screen)
            {
                _timeline.Attached(at, name, processId, screen);
                return;
            }
        }
    }

    /// <summary>The current pane's screen as escapes that draw it, with its colors, and the cursor where it is.</summary>
    private async Task<byte[]?> ScreenAsync()
    {
        var cursor = await TmuxAsync(["display-message", "-p", "-t", _pane, "#{cursor_y} #{cursor_x}"]);
        var lines = await TmuxAsync(["capture-pane", "-p", "-e", "-t", _pane]);
        if (cursor?.Trim().Split(' ') is not [var row, var column] || lines is null)
        {
            return null;
        }

        var text = new StringBuilder("\u001b[0m\u001b[H\u001b[2J");
        text.AppendJoin("\r\n", lines.TrimEnd('\n').Split('\n'));
        text.Append(CultureInfo.InvariantCulture, $"\u001b[0m\u001b[{int.Parse(row, CultureInfo.InvariantCulture) + 1};{int.Parse(column, CultureInfo.InvariantCulture) + 1}H");
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private async Task<string?> TmuxAsync(IReadOnlyList<string> arguments)
    {
        try
        {
            return await session.RunTmuxAsync(arguments, CancellationToken.None);
        }
        catch (Exception e) when (e is InvalidOperationException or ExecutorException or IOException)
        {
            // The server is ending: nothing more to see.
            return null;
        }
    }

    private async Task TakeAsync(DebugSlice slice)
    {
        if (connections.SessionOf(slice.ProcessId) is not var (connection, line))
        {
            AddProblem(string.Create(CultureInfo.InvariantCulture, $"a writer's session (tmux client {slice.ProcessId}) could not be tied to its SSH connection"));
            return;
        }

        var startedAt = _startedAt + slice.Attached;
        var (uploaded, problem) = await CastUpload.KeepAsync(
            Path.Combine(session.Files.Directory, $"recording-debug-{slice.ProcessId}-{slice.Attached.Ticks}.cast"),
            cast => AsciicastWriter.Write(slice.Events, slice.Header with { StartedAt = startedAt }, (slice.Detached - slice.Attached).TotalSeconds, slice.Truncated, secrets, cast),
            new RecordingOwner(connection.UserName ?? line.UserName, connection.Fingerprint, line.Via),
            startedAt,
            sink);
        if (uploaded)
        {
            Uploaded++;
        }
        else if (problem is not null)
        {
            AddProblem(problem);
        }
    }

    private void AddProblem(string problem)
    {
        if (_problems.Count < 10)
        {
            _problems.Add(problem);
        }
    }

    /// <summary>A wait for the reader to have taken <see cref="Target"/> lines.</summary>
    private sealed record CatchUp(long Target)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Cuts the control client's output into lines, parses each and stamps it with when it came.</summary>
    private sealed class ControlOutput(DebugRecorder recorder) : IStepOutput
    {
        /// <summary>Longer than tmux writes; a longer line (it cannot be tmux's) is dropped whole.</summary>
        private const int MaxLine = 4 << 20;

        private readonly MemoryStream _line = new();
        private bool _dropping;

        public async ValueTask WriteAsync(ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken)
        {
            var at = recorder.Now;
            foreach (var line in Lines(chunk.Span))
            {
                // Waits while the reader is behind; once the recorder has finished (the channel is complete), drops.
                var writer = recorder._lines.Writer;
                while (!writer.TryWrite((at, line)))
                {
                    if (!await writer.WaitToWriteAsync(cancellationToken))
                    {
                        return;
                    }
                }

                Interlocked.Increment(ref recorder._queued);
            }
        }

        /// <summary>The lines <paramref name="chunk"/> completes, parsed; what it leaves unfinished waits for the next one.</summary>
        private List<TmuxControlLine> Lines(ReadOnlySpan<byte> chunk)
        {
            var lines = new List<TmuxControlLine>();
            var rest = chunk;
            while (!rest.IsEmpty)
            {
                var end = rest.IndexOf((byte)'\n');
                var part = end < 0 ? rest : rest[..end];
                if (!_dropping && _line.Length + part.Length <= MaxLine)
                {
                    _line.Write(part);
                }
                else
                {
                    _dropping = true;
                }

                if (end < 0)
                {
                    break;
                }

                if (!_dropping)
                {
                    lines.Add(TmuxControlLine.Parse(_line.GetBuffer().AsSpan(0, (int)_line.Length)));
                }

                _line.SetLength(0);
                _dropping = false;
                rest = rest[(end + 1)..];
            }

            return lines;
        }
    }
}
