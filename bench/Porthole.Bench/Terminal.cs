using System.Diagnostics;
using System.Text;

namespace Porthole.Bench;

/// <summary>An interactive <c>ssh -tt</c> session whose terminal output the benchmark reads as it comes.</summary>
public sealed class Terminal : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _seen = new();
    private readonly Lock _gate = new();
    private readonly Task _reader;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private Terminal(Process process)
    {
        _process = process;
        _reader = ReadAsync();
    }

    public static Terminal Open(string key, string knownHosts, string user, string host, int port, params string[] command)
    {
        var start = new ProcessStartInfo("ssh") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])[.. SshTools.ClientOptions(key, knownHosts, port), "-tt", $"{user}@{host}", .. command])
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        _ = process.StandardError.ReadToEndAsync();
        return new Terminal(process);
    }

    public int Length
    {
        get
        {
            lock (_gate)
            {
                return _seen.Length;
            }
        }
    }

    public async Task TypeAsync(string text)
    {
        await _process.StandardInput.WriteAsync(text);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Waits until <paramref name="text"/> appears in the output after position <paramref name="from"/>.</summary>
    public async Task WaitForAsync(string text, int from = 0, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_seen.Length > from && _seen.ToString(from, _seen.Length - from).Contains(text, StringComparison.Ordinal))
                {
                    return;
                }

                changed = _changed.Task;
            }

            var left = limit - deadline.Elapsed;
            if (left <= TimeSpan.Zero || _process.HasExited)
            {
                throw new TimeoutException($"'{text}' did not appear");
            }

            await Task.WhenAny(changed, Task.Delay(left));
        }
    }

    /// <summary>Waits until anything more than <paramref name="from"/> characters has been printed.</summary>
    public async Task WaitForMoreAsync(int from)
    {
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_seen.Length > from)
                {
                    return;
                }

                changed = _changed.Task;
            }

            if (_process.HasExited)
            {
                throw new InvalidOperationException("the session closed");
            }

            await Task.WhenAny(changed, Task.Delay(TimeSpan.FromSeconds(5)));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        await _process.WaitForExitAsync();
        await _reader;
        _process.Dispose();
    }

    private async Task ReadAsync()
    {
        var buffer = new char[4096];
        int read;
        while ((read = await _process.StandardOutput.ReadAsync(buffer)) > 0)
        {
            TaskCompletionSource changed;
            lock (_gate)
            {
                _seen.Append(buffer, 0, read);
                changed = _changed;
                _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            changed.TrySetResult();
        }
    }
}
