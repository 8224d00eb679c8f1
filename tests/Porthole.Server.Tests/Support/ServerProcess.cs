using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Porthole.Server.Tests.Support;

/// <summary>
/// The real <c>porthole server</c> as a process of its own (the test host's porthole.dll), on a free port: what it
/// prints on either stream is kept; disposing it stops it with SIGTERM by its id and waits for it.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Task _reading;

    private ServerProcess(Process process, int port)
    {
        _process = process;
        Port = port;
        _reading = Task.WhenAll(ReadAsync(process.StandardOutput), ReadAsync(process.StandardError));
    }

    public int Port { get; }

    /// <summary>The server's process id.</summary>
    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>What the server has printed so far, standard output and standard error as the lines came.</summary>
    public string Printed
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts <c>porthole server --data DATA --urls …</c> with <paramref name="arguments"/> after them.</summary>
    public static ServerProcess Start(string data, params string[] arguments) => Start(data, FreePort.Pick(), null, arguments);

    /// <summary>
    /// Starts the server on <paramref name="port"/> (a server started again where one was killed) with
    /// <paramref name="settings"/> as configuration (<c>Porthole:LeaseDuration</c>, …, given as <c>PORTHOLE_</c> variables).
    /// </summary>
    public static ServerProcess Start(string data, int port, IReadOnlyDictionary<string, string>? settings, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])[Path.Combine(AppContext.BaseDirectory, "porthole.dll"), "server", "--data", data, "--urls", $"http://127.0.0.1:{port}", .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            start.Environment["PORTHOLE_" + key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        return new ServerProcess(Process.Start(start)!, port);
    }

    /// <summary>Waits until the server has printed <paramref name="text"/> (its banner ends with "Stop the server").</summary>
    public async Task WaitForPrintedAsync(string text, int seconds = 30)
    {
        for (var i = 0; i < seconds * 20 && !Printed.Contains(text, StringComparison.Ordinal); i++)
        {
            await Task.Delay(50);
        }
    }

    /// <summary>Waits until the server answers <c>/readyz</c> with 200; throws when it exits or is not ready within <paramref name="seconds"/>.</summary>
    public async Task ReadyAsync(int seconds = 60)
    {
        using var probe = new HttpClient { BaseAddress = new Uri(Url), Timeout = TimeSpan.FromSeconds(5) };
        var started = TimeProvider.System.GetTimestamp();
        while (true)
        {
            try
            {
                using var response = await probe.GetAsync("/readyz");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            if (_process.HasExited || TimeProvider.System.GetElapsedTime(started) > TimeSpan.FromSeconds(seconds))
            {
                throw new TimeoutException($"the server was not ready within {seconds} s (exited: {_process.HasExited}):\n{Printed}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Ends the server with SIGKILL by its id (a server that dies mid-job) and waits for it to be gone.</summary>
    public async Task KillAsync()
    {
        using (var kill = Process.Start("kill", ["-KILL", _process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill!.WaitForExitAsync();
        }

        using var stopped = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(stopped.Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            using var stopped = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _process.WaitForExitAsync(stopped.Token);
        }

        await _reading;
        _process.Dispose();
    }

    private async Task ReadAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
