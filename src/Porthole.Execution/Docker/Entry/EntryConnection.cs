using System.Buffers;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Porthole.Execution.Docker.Entry;

/// <summary>
/// One client connection of a node's entry: read one request (head and body, within the time limit), let the filter
/// decide, then either answer the refusal or send the rewritten request to the engine and pass its answer back. Nothing
/// the client sends reaches the engine before the filter has passed it; after an attached exec start, only once the
/// engine has taken the connection over (so no further HTTP is read on it).
/// </summary>
/// <param name="endExec">Ends what an attached exec still runs once its client has gone (a closed session, a revoked key's).</param>
internal sealed partial class EntryConnection(Socket client, EntryFilter filter, string engineSocket, TimeProvider time, TimeSpan headTimeout, Func<string, Task> endExec)
{
    public const int MaxHead = 64 * 1024;

    private static readonly TimeSpan Linger = TimeSpan.FromSeconds(1);

    /// <summary>Serves the connection to its end; never throws (a client can only end its own connection).</summary>
    public async Task ServeAsync(CancellationToken stopping)
    {
        using var request = new ReceiveBuffer();
        try
        {
            var decision = await ReadRequestAsync(request, stopping);
            if (decision is EntryForward forward)
            {
                await ForwardAsync(forward, request, stopping);
            }
            else if (decision is EntryRefusal refusal)
            {
                await RefuseAsync(refusal, stopping);
            }
        }
        catch (Exception)
        {
            // Whatever a client sends or does ends at most its own connection, and its message (which might quote what
            // the client sent) goes nowhere.
        }
        finally
        {
            client.Dispose();
        }
    }

    // The request's head and body, judged; null when the client left before sending one.
    private async Task<EntryDecision?> ReadRequestAsync(ReceiveBuffer request, CancellationToken stopping)
    {
        using var timeout = new CancellationTokenSource(headTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, stopping);
        try
        {
            var (outcome, headLength) = await request.ReadHeadAsync(client, MaxHead, linked.Token);
            if (outcome != HeadOutcome.Complete)
            {
                return outcome == HeadOutcome.TooLarge ? new EntryRefusal(431, $"a request head may be at most {MaxHead} bytes") : null;
            }

            if (HttpRequestHead.Parse(request.Data.Span[..headLength], out var problem) is not { } head)
            {
                return new EntryRefusal(400, problem!);
            }

            if (EntryFilter.BodyLength(head, out var refusal) is not { } bodyLength)
            {
                return refusal;
            }

            if (!await request.ReadAtLeastAsync(client, headLength + bodyLength, linked.Token))
            {
                return null;
            }

            var decision = await filter.DecideAsync(head, request.Data.Slice(headLength, bodyLength), linked.Token);
            request.Consume(headLength + bodyLength);
            return decision;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !stopping.IsCancellationRequested)
        {
            return new EntryRefusal(408, $"no complete request came within {headTimeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} seconds");
        }
    }

    private async Task ForwardAsync(EntryForward forward, ReceiveBuffer held, CancellationToken stopping)
    {
        using var engine = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await engine.ConnectAsync(new UnixDomainSocketEndPoint(engineSocket), stopping);
        }
        catch (SocketException e)
        {
            await RefuseAsync(new EntryRefusal(502, $"the Docker engine does not answer at {engineSocket} ({e.Message})"), stopping);
            return;
        }

        await ByteSplice.SendAllAsync(engine, forward.Request(), stopping);
        if (forward.MakesExec)
        {
            await RelayMadeExecAsync(engine, stopping);
            return;
        }

        if (!forward.TakesOver)
        {
            // Connection: close: the engine ends the connection after its answer, and nothing more of the client's is sent.
            await ByteSplice.OneWayAsync(engine, client, stopping);
            return;
        }

        using var answer = new ReceiveBuffer();
        var (outcome, length) = await answer.ReadHeadAsync(engine, MaxHead, stopping);
        if (outcome != HeadOutcome.Complete)
        {
            return;
        }

        var tookOver = TookOver(answer.Data.Span[..length]);
        await ByteSplice.SendAllAsync(client, answer.Data, stopping);
        if (!tookOver)
        {
            // An answer of the engine's own (no such exec, already running): the connection is still HTTP, so the client's
            // further bytes must not reach it. Ending our side makes the engine close after its answer.
            engine.Shutdown(SocketShutdown.Send);
            await ByteSplice.OneWayAsync(engine, client, stopping);
            return;
        }

        // What the client sent after the start's body is the exec's stdin.
        try
        {
            await ByteSplice.SendAllAsync(engine, held.Data, stopping);
            await ByteSplice.BothWaysAsync(client, engine, stopping);
        }
        finally
        {
            // The engine leaves an exec running when its client goes: a session whose ssh connection was closed (its key
            // revoked, an admin ended it) must end in the container too, with whatever it started in its session.
            if (StartedExec().Match(forward.Target) is { Success: true } started)
            {
                await endExec(started.Groups[1].Value);
            }
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex("/exec/([0-9a-f]{1,128})/start")]
    private static partial System.Text.RegularExpressions.Regex StartedExec();

    // The create's answer is small (Connection: close ends it): read it whole, note the exec's id, pass it on.
    private async Task RelayMadeExecAsync(Socket engine, CancellationToken stopping)
    {
        using var answer = new ReceiveBuffer();
        if (await answer.ReadToEndAsync(engine, MaxHead, stopping) && MadeExecId(answer.Data) is { } id)
        {
            filter.Made(id);
        }

        await ByteSplice.SendAllAsync(client, answer.Data, stopping);
        await ByteSplice.OneWayAsync(engine, client, stopping);
    }

    // The id in a 201's JSON body ({"Id":"…"}); null for anything else, so an answer not understood makes no exec usable.
    private static string? MadeExecId(ReadOnlyMemory<byte> answer)
    {
        var end = answer.Span.IndexOf("\r\n\r\n"u8);
        if (!answer.Span.StartsWith("HTTP/1.1 201 "u8) || end < 0)
        {
            return null;
        }

        try
        {
            using var body = JsonDocument.Parse(answer[(end + 4)..]);
            return body.RootElement.ValueKind == JsonValueKind.Object && body.RootElement.TryGetProperty("Id", out var id)
                && id.ValueKind == JsonValueKind.String && id.GetString() is { Length: 64 } text && text.All(char.IsAsciiHexDigitLower)
                ? text
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // 101 (asked to upgrade) or 200 with the raw stream's content type: the engine has hijacked the connection.
    private static bool TookOver(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith("HTTP/1.1 101 "u8))
        {
            return true;
        }

        var text = Encoding.ASCII.GetString(head);
        return head.StartsWith("HTTP/1.1 200 "u8)
            && (text.Contains("\r\nContent-Type: application/vnd.docker.raw-stream\r\n", StringComparison.OrdinalIgnoreCase)
                || text.Contains("\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\n", StringComparison.OrdinalIgnoreCase));
    }

    private async Task RefuseAsync(EntryRefusal refusal, CancellationToken stopping)
    {
        await ByteSplice.SendAllAsync(client, refusal.Response(), stopping);
        client.Shutdown(SocketShutdown.Send);

        // Read (and drop) what the client still sends for a moment: closing with unread bytes would reset the connection,
        // and the client might lose the answer.
        using var linger = new CancellationTokenSource(Linger, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(linger.Token, stopping);
        var sink = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            var total = 0;
            int read;
            while (total < EntryFilter.MaxBody && (read = await client.ReceiveAsync(sink, SocketFlags.None, linked.Token)) > 0)
            {
                total += read;
            }
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(sink);
        }
    }
}
