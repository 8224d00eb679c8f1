using System.Net.WebSockets;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Porthole.Contracts.Api;
using Porthole.Data;
using Porthole.Server.Ssh;

namespace Porthole.Server.Web.Terminal;

/// <summary>
/// One browser terminal's way into a node, decided by <see cref="WebTerminalApi"/>: the node, the user, and whether the
/// user may only watch (then the terminal asks for <c>watch</c>, in a debug run).
/// </summary>
internal sealed record TerminalPlan(long NodeId, long UserId, string UserName, bool ReadOnly, bool Watch, TerminalTarget Target, string HostKey, TerminalSize Size);

/// <summary>
/// Runs browser terminals (R-WEB-2): each gets a key pair of its own, granted on the node in its user's name
/// (<see cref="WebTerminalGrants"/>, delivered by the next heartbeat); once the node reports the key accepted, the real ssh
/// client joins the node on a pty, and the WebSocket carries the terminal's bytes both ways. When either side ends, the
/// other is ended: the ssh client by its id, the WebSocket with a reason; the key's folder is deleted.
/// </summary>
public sealed partial class WebTerminals(
    WebTerminalGrants grants,
    IDbContextFactory<PortholeDb> dbFactory,
    IOptions<PortholeOptions> options,
    TimeProvider time,
    ILogger<WebTerminals> logger)
{
    /// <summary>How long a terminal waits for the node to accept its key (a heartbeat or two, normally).</summary>
    private static readonly TimeSpan KeyAcceptanceTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan KeyPollInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan CloseHandshakeTimeout = TimeSpan.FromSeconds(5);
    private const int ChunkSize = 16 * 1024;

    /// <summary>Where the terminals' key pairs live while they are open: <c>DATA/web-terminal</c>.</summary>
    public string KeyRoot => Path.Combine(options.Value.DataDirectory, "web-terminal");

    internal async Task RunAsync(WebSocket socket, TerminalPlan plan, CancellationToken stopping)
    {
        WebSocketCloseStatus status;
        string reason;
        try
        {
            using var key = await TerminalKeyPair.CreateAsync(KeyRoot, time, stopping);
            await key.PinHostKeyAsync(plan.Target.Host, plan.Target.Port, plan.HostKey, stopping);
            await using (await grants.AddAsync(plan.NodeId, new WebTerminalGrant(plan.UserId, key.PublicKey.KeyText, key.PublicKey.Fingerprint, plan.ReadOnly), stopping))
            {
                if (await WaitForKeyAsync(plan.NodeId, key.PublicKey.Fingerprint, stopping) is not { } problem)
                {
                    await ConnectAsync(socket, plan, key, stopping);
                    return;
                }

                (status, reason) = problem;
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            (status, reason) = (WebSocketCloseStatus.EndpointUnavailable, "The terminal was closed.");
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException or System.ComponentModel.Win32Exception or System.Data.Common.DbException)
        {
            LogFailed(logger, plan.UserName, plan.NodeId, e.Message);
            (status, reason) = (WebSocketCloseStatus.InternalServerError, "The terminal could not be started; the server's log says why.");
        }

        await CloseAsync(socket, status, reason);
    }

    /// <summary>Null once the node accepts the key; otherwise how the WebSocket closes and why.</summary>
    private async Task<(WebSocketCloseStatus, string)?> WaitForKeyAsync(long nodeId, string fingerprint, CancellationToken stopping)
    {
        var deadline = time.GetUtcNow() + KeyAcceptanceTimeout;
        while (true)
        {
            await using (var db = await dbFactory.CreateDbContextAsync(stopping))
            {
                var node = await db.Nodes.Where(n => n.Id == nodeId).Select(n => new { n.Status, n.SshAccepted }).SingleAsync(stopping);
                if (Status.IsFinished(node.Status))
                {
                    return (WebSocketCloseStatus.NormalClosure, "The node has ended.");
                }

                if (node.SshAccepted is { } accepted && accepted.Split('\n').Contains(fingerprint, StringComparer.Ordinal))
                {
                    return null;
                }
            }

            if (time.GetUtcNow() > deadline)
            {
                return (WebSocketCloseStatus.InternalServerError, "The node did not let this terminal in; you may no longer be allowed to enter it.");
            }

            await Task.Delay(KeyPollInterval, time, stopping);
        }
    }

    /// <summary>Runs the ssh client on a pty until it or the browser ends, then closes the WebSocket saying why.</summary>
    private async Task ConnectAsync(WebSocket socket, TerminalPlan plan, TerminalKeyPair key, CancellationToken stopping)
    {
        using var pty = Pty.Open(plan.Size);
        using var client = TerminalSshClient.Start(pty, plan.Target, key, plan.Watch);
        var output = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(64) { SingleReader = true });
        var reading = Task.Factory.StartNew(() => ReadTerminal(pty, output.Writer), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var sending = SendAsync(socket, output, stopping);
        var receiving = ReceiveAsync(socket, pty, stopping);

        var first = await Task.WhenAny(client.Exited, receiving);
        if (first != client.Exited)
        {
            // The browser went away (or the server stops): the ssh client goes with it.
            await client.EndAsync(time);
        }

        // ssh has exited: letting go of the slave ends the reads once its last bytes are read.
        pty.CloseSlave();
        await reading;
        await sending;
        var reason = stopping.IsCancellationRequested
            ? "The terminal was closed."
            : client.ExitCode is { } code and not 0 ? $"The session ended (ssh exited with {code})." : "The session ended.";

        // The receive loop is still reading (unless the browser closed first): send the close, and let the loop take the
        // browser's answer.
        using var patience = new CancellationTokenSource(CloseHandshakeTimeout, time);
        try
        {
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, reason, patience.Token);
            }

            await receiving.WaitAsync(patience.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // No answer: drop the connection; the receiving loop ends at once, before the pty goes.
            socket.Abort();
            await receiving;
        }
    }

    /// <summary>On a thread of its own (reading a pty blocks): the terminal's output, chunk by chunk, until it ends.</summary>
    private static void ReadTerminal(Pty pty, ChannelWriter<byte[]> output)
    {
        var buffer = new byte[ChunkSize];
        try
        {
            while (true)
            {
                var count = pty.Read(buffer);
                if (count == 0)
                {
                    break;
                }

                var chunk = buffer.AsSpan(0, count).ToArray();
                while (!output.TryWrite(chunk))
                {
                    // The browser is slow: wait for room (this thread is the terminal's own), or stop when nobody reads.
                    if (!output.WaitToWriteAsync().AsTask().GetAwaiter().GetResult())
                    {
                        return;
                    }
                }
            }
        }
        catch (IOException)
        {
        }
        finally
        {
            output.TryComplete();
        }
    }

    private static async Task SendAsync(WebSocket socket, Channel<byte[]> output, CancellationToken stopping)
    {
        try
        {
            await foreach (var chunk in output.Reader.ReadAllAsync(stopping))
            {
                await socket.SendAsync(chunk, WebSocketMessageType.Binary, endOfMessage: true, stopping);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The browser is gone: the reading thread stops at its next chunk (ssh is ended as the receiving side ends).
            output.Writer.TryComplete();
        }
    }

    /// <summary>The browser's side: binary frames are typed into the terminal, text frames are control messages.</summary>
    private static async Task ReceiveAsync(WebSocket socket, Pty pty, CancellationToken stopping)
    {
        var buffer = new byte[ChunkSize];
        var control = new MemoryStream();
        try
        {
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, stopping);
                switch (received.MessageType)
                {
                    case WebSocketMessageType.Close:
                        return;
                    case WebSocketMessageType.Binary:
                        pty.Write(buffer.AsSpan(0, received.Count));
                        break;
                    case WebSocketMessageType.Text:
                        if (control.Length + received.Count <= TerminalControl.MaximumLength)
                        {
                            control.Write(buffer, 0, received.Count);
                        }
                        else
                        {
                            control.SetLength(TerminalControl.MaximumLength + 1);
                        }

                        if (received.EndOfMessage)
                        {
                            if (control.Length <= TerminalControl.MaximumLength && TerminalControl.ResizeOf(control.GetBuffer().AsMemory(0, (int)control.Length)) is { } size)
                            {
                                pty.Resize(size);
                            }

                            control.SetLength(0);
                        }

                        break;
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
        }
    }

    /// <summary>Closes the WebSocket (nothing reads it yet) with a reason the page can show, waiting a moment for the browser's answer.</summary>
    private async Task CloseAsync(WebSocket socket, WebSocketCloseStatus status, string reason)
    {
        using var patience = new CancellationTokenSource(CloseHandshakeTimeout, time);
        try
        {
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await socket.CloseAsync(status, reason, patience.Token);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            socket.Abort();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The web terminal of {UserName} on node {NodeId} failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, string userName, long nodeId, string reason);
}
