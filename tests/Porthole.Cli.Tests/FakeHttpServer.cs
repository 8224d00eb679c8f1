using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Porthole.Cli.Tests;

/// <summary>A request as the fake server read it.</summary>
public sealed record FakeRequest(string Method, string Target, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string Path => Target.Split('?')[0];

    public string? Query(string name) =>
        Target.Contains('?', StringComparison.Ordinal)
            ? Target[(Target.IndexOf('?', StringComparison.Ordinal) + 1)..].Split('&')
                .Select(pair => pair.Split('=', 2))
                .Where(pair => pair[0] == name)
                .Select(pair => Uri.UnescapeDataString(pair.Length > 1 ? pair[1] : ""))
                .FirstOrDefault()
            : null;

    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var value) ? value : null;
}

/// <summary>
/// A tiny HTTP/1.1 server on a free loopback port, written on a bare socket so a test decides every byte and can
/// drop a connection in the middle of a response. It stands in for the Porthole server only in these unit tests.
/// </summary>
public sealed class FakeHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<FakeRequest, FakeResponse, Task> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public FakeHttpServer(Func<FakeRequest, FakeResponse, Task> handler)
    {
        _handler = handler;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    public ConcurrentQueue<FakeRequest> Requests { get; } = new();

    /// <summary>A loopback address nothing listens on.</summary>
    public static string ClosedUrl()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"http://127.0.0.1:{port}";
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(socket));
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using (socket)
        await using (var stream = new NetworkStream(socket, ownsSocket: false))
        {
            try
            {
                var request = await ReadRequestAsync(stream);
                Requests.Enqueue(request);
                var response = new FakeResponse(socket, stream);
                await _handler(request, response);
                if (!response.Dropped)
                {
                    socket.Shutdown(SocketShutdown.Both);
                }
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
                // The client went away; nothing to answer.
            }
        }
    }

    private static async Task<FakeRequest> ReadRequestAsync(NetworkStream stream)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (head.Count < 4 || !(head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
        {
            if (await stream.ReadAsync(one) == 0)
            {
                throw new IOException("the client closed the connection before sending a request");
            }

            head.Add(one[0]);
        }

        var lines = Encoding.ASCII.GetString([.. head]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var requestLine = lines[0].Split(' ');
        var headers = lines.Skip(1)
            .Select(line => line.Split(':', 2))
            .ToDictionary(parts => parts[0].Trim().ToLowerInvariant(), parts => parts[1].Trim());
        var body = Array.Empty<byte>();
        if (headers.TryGetValue("content-length", out var length))
        {
            body = new byte[int.Parse(length, CultureInfo.InvariantCulture)];
            await stream.ReadExactlyAsync(body);
        }

        return new FakeRequest(requestLine[0], requestLine[1], headers, Encoding.UTF8.GetString(body));
    }
}

/// <summary>Writes one response on the connection, whole or as chunks, or drops the connection.</summary>
public sealed class FakeResponse(Socket socket, NetworkStream stream)
{
    public bool Dropped { get; private set; }

    public Task JsonAsync(string json, int status = 200) =>
        BytesAsync(status, "application/json; charset=utf-8", Encoding.UTF8.GetBytes(json));

    public Task ProblemAsync(int status, string title, string detail, string code) =>
        BytesAsync(status, "application/problem+json", Encoding.UTF8.GetBytes(
            $$"""{"type":"https://porthole.dev/problems/{{code}}","title":"{{title}}","status":{{status}},"detail":"{{detail}}","code":"{{code}}"}"""));

    public async Task BytesAsync(int status, string contentType, byte[] body)
    {
        await WriteHeadAsync(status, contentType, $"Content-Length: {body.Length}\r\n");
        await stream.WriteAsync(body);
        await stream.FlushAsync();
    }

    public Task StartChunkedAsync(int status, string contentType) =>
        WriteHeadAsync(status, contentType, "Transfer-Encoding: chunked\r\nCache-Control: no-cache\r\n");

    public async Task ChunkAsync(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"{bytes.Length:x}\r\n"));
        await stream.WriteAsync(bytes);
        await stream.WriteAsync("\r\n"u8.ToArray());
        await stream.FlushAsync();
    }

    public async Task EndChunkedAsync()
    {
        await stream.WriteAsync("0\r\n\r\n"u8.ToArray());
        await stream.FlushAsync();
    }

    /// <summary>Closes the connection mid-response, as the kernel does when the server's process dies.</summary>
    public void Drop()
    {
        Dropped = true;
        socket.Shutdown(SocketShutdown.Both);
        socket.Close();
    }

    /// <summary>Resets the connection mid-response (TCP RST), as a cut network or a proxy does.</summary>
    public void Reset()
    {
        Dropped = true;
        socket.LingerState = new LingerOption(true, 0);
        socket.Close();
    }

    private async Task WriteHeadAsync(int status, string contentType, string extraHeaders)
    {
        var reason = status switch { 200 => "OK", 401 => "Unauthorized", 404 => "Not Found", 409 => "Conflict", _ => "Status" };
        var head = $"HTTP/1.1 {status} {reason}\r\nContent-Type: {contentType}\r\nConnection: close\r\n{extraHeaders}\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        await stream.FlushAsync();
    }
}
