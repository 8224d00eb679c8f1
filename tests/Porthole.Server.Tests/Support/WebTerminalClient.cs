using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Text;

namespace Porthole.Server.Tests.Support;

/// <summary>
/// The browser's side of the job page's terminal: a real WebSocket to <c>/web/jobs/{id}/terminal</c> with the user's
/// token, that keeps what the terminal shows and how the server closed it.
/// </summary>
public sealed class WebTerminalClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly StringBuilder _screen = new();
    private readonly Lock _gate = new();
    private readonly Task _receiving;

    private WebTerminalClient(ClientWebSocket socket)
    {
        _socket = socket;
        _receiving = ReceiveAsync();
    }

    /// <summary>Everything the terminal has shown so far, as text.</summary>
    public string Screen
    {
        get
        {
            lock (_gate)
            {
                return _screen.ToString();
            }
        }
    }

    /// <summary>Completes when the server has closed the WebSocket (or the connection broke).</summary>
    public Task Closed => _receiving;

    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    public string? CloseReason => _socket.CloseStatusDescription;

    public static Uri AddressOf(Uri server, long jobId, int node = 0) =>
        new(string.Create(CultureInfo.InvariantCulture, $"ws://{server.Authority}/web/jobs/{jobId}/terminal?node={node}&cols=120&rows=40"));

    public static async Task<WebTerminalClient> ConnectAsync(Uri server, string token, long jobId, int node = 0, string? origin = null)
    {
        var socket = Socket(token, origin);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await socket.ConnectAsync(AddressOf(server, jobId, node), timeout.Token);
            return new WebTerminalClient(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Tries to open a terminal that the server must refuse; returns the HTTP status of the refusal.</summary>
    public static async Task<HttpStatusCode> RefusedAsync(Uri server, string? token, long jobId, int node = 0, string? origin = null)
    {
        using var socket = Socket(token, origin);
        socket.Options.CollectHttpResponseDetails = true;
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(AddressOf(server, jobId, node), CancellationToken.None));
        return socket.HttpStatusCode;
    }

    /// <summary>Types, as the page sends keystrokes: a binary frame.</summary>
    public Task TypeAsync(string text) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None);

    public Task ResizeAsync(int columns, int rows) =>
        _socket.SendAsync(
            Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $$"""{"type":"resize","cols":{{columns}},"rows":{{rows}}}""")),
            WebSocketMessageType.Text,
            endOfMessage: true,
            CancellationToken.None);

    public async Task<string> WaitForAsync(string text, int seconds = 20)
    {
        var deadline = TimeProvider.System.GetUtcNow().AddSeconds(seconds);
        while (!Screen.Contains(text, StringComparison.Ordinal))
        {
            if (TimeProvider.System.GetUtcNow() > deadline || _receiving.IsCompleted)
            {
                throw new TimeoutException($"'{text}' never showed in the web terminal (closed: {CloseStatus} {CloseReason}):\n{Screen}");
            }

            await Task.Delay(50);
        }

        return Screen;
    }

    /// <summary>Waits until the server closes the terminal.</summary>
    public async Task WaitForCloseAsync(int seconds = 20) => await _receiving.WaitAsync(TimeSpan.FromSeconds(seconds));

    /// <summary>Closes the terminal as a browser tab going away does: a close frame, then the server's answer.</summary>
    public async Task CloseAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "tab closed", CancellationToken.None);
        }

        await _receiving.WaitAsync(TimeSpan.FromSeconds(20));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_receiving.IsCompleted)
        {
            _socket.Abort();
        }

        await _receiving;
        _socket.Dispose();
    }

    private static ClientWebSocket Socket(string? token, string? origin)
    {
        var socket = new ClientWebSocket();
        if (token is not null)
        {
            socket.Options.SetRequestHeader("Authorization", "Bearer " + token);
        }

        if (origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", origin);
        }

        return socket;
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[16 * 1024];
        var decoder = Encoding.UTF8.GetDecoder();
        var characters = new char[Encoding.UTF8.GetMaxCharCount(buffer.Length)];
        try
        {
            while (true)
            {
                var received = await _socket.ReceiveAsync(buffer, CancellationToken.None);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    if (_socket.State == WebSocketState.CloseReceived)
                    {
                        await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                    }

                    return;
                }

                var count = decoder.GetChars(buffer, 0, received.Count, characters, 0);
                lock (_gate)
                {
                    _screen.Append(characters, 0, count);
                }
            }
        }
        catch (WebSocketException)
        {
        }
    }
}
