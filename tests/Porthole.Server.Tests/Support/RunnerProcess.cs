using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Porthole.Server.Tests.Support;

/// <summary>
/// The real <c>porthole runner</c> (a remote runner) as a process of its own, from the test host's porthole.dll, its
/// token given in the environment (<c>PORTHOLE_RUNNER_TOKEN</c>, as the README advises) and no other <c>PORTHOLE_</c>
/// variable of the test host's. What it prints on either stream is kept. Disposing it stops it with SIGTERM by its id
/// and waits; <see cref="Kill"/> ends it with SIGKILL by its id (a runner that dies).
/// </summary>
public sealed class RunnerProcess : IAsyncDisposable
{
    /// <summary>Settings every test runner gets (shorter intervals than a real runner's, as RunningServer's built-in one).</summary>
    private static readonly Dictionary<string, string> Defaults = new()
    {
        ["PORTHOLE_Runner__HeartbeatInterval"] = "00:00:00.200",
        ["PORTHOLE_Runner__LogFlushInterval"] = "00:00:00.050",
    };

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Task _reading;

    private RunnerProcess(Process process)
    {
        _process = process;
        _reading = Task.WhenAll(ReadAsync(process.StandardOutput), ReadAsync(process.StandardError));
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>What the runner has printed so far, standard output and standard error as the lines came.</summary>
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

    /// <summary>
    /// Starts <c>porthole runner --server SERVER --data DATA</c> and <paramref name="arguments"/> with <paramref name="token"/>
    /// in <c>PORTHOLE_RUNNER_TOKEN</c> (none when null) and <paramref name="environment"/> (e.g. <c>PORTHOLE_Ssh__ListenAddresses</c>).
    /// </summary>
    public static RunnerProcess Start(string server, string? token, string data, IReadOnlyDictionary<string, string>? environment = null, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var argument in (string[])[Path.Combine(AppContext.BaseDirectory, "porthole.dll"), "runner", "--server", server, "--data", data, .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var inherited in start.Environment.Keys.Where(k => k.StartsWith("PORTHOLE_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(inherited);
        }

        foreach (var (name, value) in Defaults.Concat(environment ?? new Dictionary<string, string>()))
        {
            start.Environment[name] = value;
        }

        if (token is not null)
        {
            start.Environment["PORTHOLE_RUNNER_TOKEN"] = token;
        }

        var process = Process.Start(start)!;
        process.StandardInput.Close();
        return new RunnerProcess(process);
    }

    /// <summary>Whether the runner printed <paramref name="text"/> within <paramref name="seconds"/> (false at once if it exited without).</summary>
    public async Task<bool> WaitForPrintedAsync(string text, int seconds = 60)
    {
        var deadline = TimeProvider.System.GetTimestamp();
        while (!Printed.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited)
            {
                await _reading;
                return Printed.Contains(text, StringComparison.Ordinal);
            }

            if (TimeProvider.System.GetElapsedTime(deadline) > TimeSpan.FromSeconds(seconds))
            {
                return false;
            }

            await Task.Delay(50);
        }

        return true;
    }

    /// <summary>The runner's exit code once it has exited by itself.</summary>
    /// <exception cref="TimeoutException">It still runs after <paramref name="seconds"/>.</exception>
    public async Task<int> WaitForExitAsync(int seconds = 60)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the runner (pid {Id}) still runs after {seconds} s; it printed:\n{Printed}");
        }

        await _reading;
        return _process.ExitCode;
    }

    /// <summary>Stops the runner as Ctrl+C or a service manager does (SIGTERM by its id) and returns its exit code.</summary>
    public async Task<int> StopAsync(int seconds = 60)
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync();
        }

        try
        {
            return await WaitForExitAsync(seconds);
        }
        catch (TimeoutException)
        {
            Kill();
            throw;
        }
    }

    /// <summary>Ends the runner at once, as a crash would (SIGKILL by its id).</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        catch (TimeoutException)
        {
            // Killed by its id above; nothing more to wait for.
        }

        await _process.WaitForExitAsync();
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
