using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Porthole.Server.Tests.Support;

/// <summary>
/// A stand-in for GitHub's, GitLab's and Bitbucket's public-key listings (which cannot be reached here), on a free
/// loopback port: answers a fixed body per path, 404 for anything else. The bodies are read at each request, so a
/// caller that keeps a concurrent dictionary may add paths while the host runs.
/// </summary>
public sealed class FakeKeyHost : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IReadOnlyDictionary<string, string> _bodies;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public FakeKeyHost(IReadOnlyDictionary<string, string> bodies)
    {
        _bodies = bodies;
        _listener.Start();
        _loop = ServeAsync();
    }

    public string BaseAddress => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

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
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            await using var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
            var requestLine = await reader.ReadLineAsync(_stop.Token) ?? "";
            while (!string.IsNullOrEmpty(await reader.ReadLineAsync(_stop.Token)))
            {
            }

            var path = requestLine.Split(' ') is [_, var p, ..] ? p : "/";
            var found = _bodies.TryGetValue(path, out var body);
            var bytes = Encoding.UTF8.GetBytes(found ? body! : "Not Found");
            var head = $"HTTP/1.1 {(found ? "200 OK" : "404 Not Found")}\r\nContent-Type: text/plain\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head), _stop.Token);
            await stream.WriteAsync(bytes, _stop.Token);
        }
    }
}
