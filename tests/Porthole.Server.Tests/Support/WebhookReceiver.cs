using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Porthole.Server.Tests.Support;

/// <summary>
/// A stand-in for a project's notification receiver, on a free loopback port: records each POST (its headers and raw
/// body) once it has answered it and the sender has closed the connection, answering with the next status of
/// <see cref="Answers"/>, 200 when none is left.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<Received> _received = new();
    private readonly SemaphoreSlim _arrived = new(0);
    private readonly Task _loop;

    public WebhookReceiver()
    {
        _listener.Start();
        _loop = ServeAsync();
    }

    /// <summary>One request as received: the path, headers (names in lower case) and the body's bytes.</summary>
    public sealed record Received(string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body, int AnsweredWith)
    {
        public string Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var value) ? value : "";
    }

    public string Url(string path = "/hooks/porthole") => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}{path}";

    /// <summary>The statuses to answer with, in order (e.g. 503 to see a delivery tried again).</summary>
    public ConcurrentQueue<int> Answers { get; } = new();

    public IReadOnlyList<Received> All => [.. _received];

    /// <summary>Waits until at least <paramref name="count"/> requests arrived (within <paramref name="seconds"/>), and returns them all.</summary>
    public async Task<IReadOnlyList<Received>> WaitForAsync(int count, int seconds = 60)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        while (_received.Count < count)
        {
            try
            {
                await _arrived.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"expected {count} notifications within {seconds} s, got {_received.Count}: "
                    + string.Join(", ", _received.Select(r => r.Header("X-Porthole-Event"))));
            }
        }

        return All;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
        _arrived.Dispose();
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = Task.Run(() => AnswerAsync(client));
        }
    }

    private async Task AnswerAsync(TcpClient client)
    {
        using (client)
        {
            await using var stream = client.GetStream();
            var head = await ReadHeadAsync(stream);
            var lines = head.Split("\r\n");
            var path = lines[0].Split(' ') is [_, var p, ..] ? p : "/";
            var headers = new Dictionary<string, string>();
            foreach (var line in lines.Skip(1).Where(l => l.Contains(':', StringComparison.Ordinal)))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                headers[line[..colon].Trim().ToLowerInvariant()] = line[(colon + 1)..].Trim();
            }

            var length = headers.TryGetValue("content-length", out var given) ? int.Parse(given, System.Globalization.CultureInfo.InvariantCulture) : 0;
            var body = new byte[length];
            await stream.ReadExactlyAsync(body, _stop.Token);
            var status = Answers.TryDequeue(out var next) ? next : 200;
            var answer = $"HTTP/1.1 {status} {(status < 400 ? "OK" : "Error")}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(answer), _stop.Token);

            // Counted once the sender has read the answer and closed its end: a test that moves the server's clock on
            // after WaitForAsync then never times out a delivery still in flight (the try's timeout is on that clock).
            using (var closed = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
            {
                closed.CancelAfter(TimeSpan.FromSeconds(5));
                try
                {
                    while (await stream.ReadAsync(new byte[1], closed.Token) > 0)
                    {
                    }
                }
                catch (Exception e) when (e is OperationCanceledException or IOException)
                {
                }
            }

            _received.Enqueue(new Received(path, headers, body, status));
            _arrived.Release();
        }
    }

    /// <summary>The request line and headers, up to the empty line, read a byte at a time so that the body stays in the stream.</summary>
    private async Task<string> ReadHeadAsync(NetworkStream stream)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (head.Count < 64 * 1024 && !(head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
        {
            if (await stream.ReadAsync(one, _stop.Token) == 0)
            {
                break;
            }

            head.Add(one[0]);
        }

        return Encoding.ASCII.GetString([.. head]).TrimEnd();
    }
}
