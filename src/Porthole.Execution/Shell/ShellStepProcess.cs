using System.Diagnostics;
using Porthole.Execution.Executors;

namespace Porthole.Execution.Shell;

/// <summary>A step process on the host: its pid is its session id, and its output is pumped to the step's output.</summary>
internal sealed class ShellStepProcess : IStepProcess, IAsyncDisposable
{
    private readonly Process _process;
    private readonly ProcessTree _processTree;
    private readonly TimeProvider _timeProvider;
    private readonly ShellExecutorOptions _options;
    private readonly Task _outputPumps;
    private readonly Lock _gate = new();
    private Task? _stopped;

    public ShellStepProcess(Process process, IStepOutput output, ProcessTree processTree, TimeProvider timeProvider, ShellExecutorOptions options, Func<Stream, CancellationToken, Task>? input = null)
    {
        _process = process;
        _processTree = processTree;
        _timeProvider = timeProvider;
        _options = options;
        Id = process.Id;
        var feeding = input is null ? Task.CompletedTask : StdinFeed.RunAsync(process.StandardInput.BaseStream, input);
        if (input is null)
        {
            process.StandardInput.Close();
        }

        // One output for both pipes: stderr only ever carries the wrapper's own complaints (it points 2 at 1 first).
        var sink = new SerializedOutput(output);
        _outputPumps = Task.WhenAll(
            OutputPump.RunAsync(process.StandardOutput.BaseStream, sink),
            OutputPump.RunAsync(process.StandardError.BaseStream, sink),
            feeding);
        Exited = WaitForExitAsync();
    }

    public int Id { get; }

    public Task<int> Exited { get; }

    internal bool IsLeaderRunning
    {
        get
        {
            try
            {
                return !_process.HasExited;
            }
            catch (InvalidOperationException)
            {
                return false;
            }
        }
    }

    public Task StopAsync()
    {
        lock (_gate)
        {
            _stopped ??= _processTree.EndSessionAsync(Id, () => IsLeaderRunning, _options.StopGrace);
            return _stopped;
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Destroy has ended every process by now, so the pipes are closed and the pumps end at once.
        await Task.WhenAny(Exited, Task.Delay(_options.StopGrace, _timeProvider));
        _process.Dispose();
    }

    private async Task<int> WaitForExitAsync()
    {
        await _process.WaitForExitAsync(CancellationToken.None);

        // What the process wrote before it exited is in the pipe; a process it left running in the background
        // may hold the pipe open for long, and the step must not wait for that (CircleCI does not either).
        if (!_outputPumps.IsCompleted)
        {
            await Task.WhenAny(_outputPumps, Task.Delay(_options.DrainWindow, _timeProvider));
        }

        return _process.ExitCode;
    }
}
