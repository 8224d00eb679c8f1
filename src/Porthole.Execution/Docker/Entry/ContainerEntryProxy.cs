using System.Collections.Concurrent;
using System.Net.Sockets;
using Docker.DotNet;
using Porthole.Execution.Processes;

namespace Porthole.Execution.Docker.Entry;

/// <summary>
/// A docker node's narrow door to its engine: a unix socket of its own, served by the runner, through which the stock
/// docker CLI can <c>exec</c> into the node's primary container, as the job's user and with the job's environment, and do
/// nothing else (<see cref="EntryFilter"/>). The node's sshd, which runs as the job account, lands sessions inside the
/// container through it; the engine's own socket, root on the host, stays out of that account's reach.
/// </summary>
public sealed class ContainerEntryProxy : IAsyncDisposable
{
    /// <summary>More connections at once than any number of sessions needs; past it, new ones are closed at once.</summary>
    private const int MaxConnections = 256;

    private static readonly TimeSpan DefaultHeadTimeout = TimeSpan.FromSeconds(30);

    private readonly Socket _listener;
    private readonly string _socketPath;
    private readonly EntryFilter _filter;
    private readonly string _engineSocket;
    private readonly TimeProvider _time;
    private readonly TimeSpan _headTimeout;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<long, Task> _connections = new();
    private readonly Task _accepting;
    private long _nextConnection;
    private int _disposed;

    private ContainerEntryProxy(Socket listener, string socketPath, EntryFilter filter, string engineSocket, TimeProvider time, TimeSpan headTimeout)
    {
        _listener = listener;
        _socketPath = socketPath;
        _filter = filter;
        _engineSocket = engineSocket;
        _time = time;
        _headTimeout = headTimeout;
        _accepting = Task.Run(AcceptAsync);
    }

    public string SocketPath => _socketPath;

    private Func<string, Task> _endExec = _ => Task.CompletedTask;

    /// <summary>
    /// Listens on <paramref name="socketPath"/> (made anew, mode 0660; owned by root and <paramref name="socketGroup"/>
    /// when that is given and this process is root) and lets through to the engine what <paramref name="rules"/> allow.
    /// </summary>
    /// <param name="headTimeout">How long a client has to send its whole request (default 30 s).</param>
    /// <exception cref="ArgumentException">The engine is not reached by a unix socket.</exception>
    /// <exception cref="IOException">The socket could not be made.</exception>
    public static ContainerEntryProxy Start(
        string socketPath, EntryRules rules, DockerEngine engine, TimeProvider time, int? socketGroup = null, TimeSpan? headTimeout = null)
    {
        if (!engine.Settings.Endpoint.IsUnixSocket())
        {
            throw new ArgumentException(
                $"A node's entry socket needs the Docker engine's unix socket, and the runner's engine is {engine.Settings.Endpoint}.", nameof(engine));
        }

        var filter = new EntryFilter(rules, async (id, cancellationToken) =>
        {
            try
            {
                return (await engine.Client.Exec.InspectContainerExecAsync(id, cancellationToken)).ContainerID;
            }
            catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                return null;
            }
        });

        if (File.Exists(socketPath))
        {
            File.Delete(socketPath);
        }

        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        var bound = false;
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(socketPath));
            bound = true;

            // Nobody can connect before listen(2), so the mode and owner are right before the first client.
            File.SetUnixFileMode(socketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
            if (socketGroup is { } group && FileOwnership.IsRoot)
            {
                FileOwnership.Give(socketPath, 0, group);
            }

            listener.Listen(512);
        }
        catch (Exception e) when (e is SocketException or IOException or UnauthorizedAccessException)
        {
            listener.Dispose();
            if (bound)
            {
                File.Delete(socketPath);
            }

            throw new IOException($"The node's entry socket {socketPath} could not be made: {e.Message}", e);
        }

        return new ContainerEntryProxy(listener, socketPath, filter, engine.Settings.SocketPath, time, headTimeout ?? DefaultHeadTimeout)
        {
            _endExec = id => EndExecAsync(engine, time, id),
        };
    }

    /// <summary>
    /// Ends an exec that still runs: its session in the container, as the shell executor ends a step's (the engine tells
    /// its host pid). A runner that may not signal it leaves it to the container's removal at the node's end.
    /// </summary>
    private static async Task EndExecAsync(DockerEngine engine, TimeProvider time, string execId)
    {
        try
        {
            var exec = await engine.Client.Exec.InspectContainerExecAsync(execId, CancellationToken.None);
            if (exec.Running && exec.Pid is > 0 and <= int.MaxValue)
            {
                var pid = (int)exec.Pid;
                await new Shell.ProcessTree(time).EndSessionAsync(pid, () => Directory.Exists($"/proc/{pid}"), TimeSpan.FromSeconds(1));
            }
        }
        catch (Exception e) when (e is DockerApiException or HttpRequestException or IOException)
        {
            // The engine or the container is gone, and the exec with it.
        }
    }

    /// <summary>Stops listening, ends every connection (and so every session through it) and deletes the socket.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync();
        _listener.Dispose();
        await _accepting;
        await Task.WhenAll(_connections.Values);
        try
        {
            File.Delete(_socketPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        _stopping.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                // Out of descriptors, say: wait a little rather than spin, and go on.
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(100), _time, _stopping.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }

            if (_connections.Count >= MaxConnections)
            {
                client.Dispose();
                continue;
            }

            var id = _nextConnection++;
            var registered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _connections[id] = ServeAsync(id, new EntryConnection(client, _filter, _engineSocket, _time, _headTimeout, _endExec), registered.Task);
            registered.SetResult();
        }
    }

    // Starts once the connection is in the table, so that its removal at the end cannot come first.
    private async Task ServeAsync(long id, EntryConnection connection, Task registered)
    {
        await registered;
        await connection.ServeAsync(_stopping.Token);
        _connections.TryRemove(id, out _);
    }
}
