using Porthole.Contracts.Ssh;
using Porthole.Ssh.Endpoints;

namespace Porthole.Ssh.Tests.Support;

/// <summary>Keeps what an endpoint reports, and lets a test wait for an event.</summary>
internal sealed class RecordingSink : ISshEventSink
{
    private readonly Lock _gate = new();
    private readonly List<SshEvent> _events = [];
    private readonly List<SshEndpointInfo> _ready = [];
    private readonly List<Contracts.Runners.NodeCompletion> _held = [];
    private readonly List<SshWindow> _windows = [];
    private readonly List<(Contracts.Runners.SessionRecordingFile File, string Cast)> _recordings = [];
    private int _callsInFlight;

    public bool Overlapped { get; private set; }

    public IReadOnlyList<SshEvent> Events
    {
        get
        {
            lock (_gate)
            {
                return [.. _events];
            }
        }
    }

    public IReadOnlyList<SshEndpointInfo> Ready
    {
        get
        {
            lock (_gate)
            {
                return [.. _ready];
            }
        }
    }

    public Task EndpointReadyAsync(SshEndpointInfo endpoint)
    {
        Enter();
        lock (_gate)
        {
            _ready.Add(endpoint);
        }

        Leave();
        return Task.CompletedTask;
    }

    public async Task EventAsync(SshEvent sshEvent)
    {
        Enter();
        await Task.Yield();
        lock (_gate)
        {
            _events.Add(sshEvent);
        }

        Leave();
    }

    public Task NodeHeldAsync(Contracts.Runners.NodeCompletion held)
    {
        lock (_gate)
        {
            _held.Add(held);
        }

        return Task.CompletedTask;
    }

    public Task WindowAsync(SshWindow window)
    {
        lock (_gate)
        {
            _windows.Add(window);
        }

        return Task.CompletedTask;
    }

    /// <summary>Keeps the recording and its file's text (the file goes once this returns).</summary>
    public async Task RecordingAsync(Contracts.Runners.SessionRecordingFile recording, string castPath)
    {
        var cast = await File.ReadAllTextAsync(castPath);
        lock (_gate)
        {
            _recordings.Add((recording, cast));
        }
    }

    public IReadOnlyList<(Contracts.Runners.SessionRecordingFile File, string Cast)> Recordings
    {
        get
        {
            lock (_gate)
            {
                return [.. _recordings];
            }
        }
    }

    public IReadOnlyList<Contracts.Runners.NodeCompletion> Held
    {
        get
        {
            lock (_gate)
            {
                return [.. _held];
            }
        }
    }

    public IReadOnlyList<SshWindow> Windows
    {
        get
        {
            lock (_gate)
            {
                return [.. _windows];
            }
        }
    }

    public async Task<SshEvent> WaitForAsync(Func<SshEvent, bool> match, string what, TimeSpan? timeout = null)
    {
        SshEvent? found = null;
        await Wait.UntilAsync(() => (found = Events.FirstOrDefault(match)) is not null, what, timeout);
        return found!;
    }

    private void Enter()
    {
        if (Interlocked.Increment(ref _callsInFlight) > 1)
        {
            Overlapped = true;
        }
    }

    private void Leave() => Interlocked.Decrement(ref _callsInFlight);
}
