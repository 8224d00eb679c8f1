using System.Text;
using Porthole.Execution.Executors;

namespace Porthole.Ssh.Debugging;

/// <summary>
/// What the runner says while it runs a typed step for a debug session's window (<see cref="DebugStepRequests"/>): the
/// lines, in the step's output file, rewritten whole as they grow (at most every 0.1 s, and once more at the end), so the
/// window that waits shows them. Only ever appended to, and capped: a long list ends with a pointer to the job's log.
/// </summary>
internal sealed class DebugStepOutput(DebugPlacement placement, string path, CancellationToken stop)
{
    private const int MaxChars = 64 * 1024;
    private static readonly TimeSpan WriteInterval = TimeSpan.FromMilliseconds(100);

    private readonly StringBuilder _text = new();
    private long _writtenAt;
    private bool _dirty;
    private bool _full;

    /// <summary>One line the runner said (<see cref="Execution.StepHandlers.StepScope.Echo"/>).</summary>
    public async ValueTask AppendAsync(string line)
    {
        if (_full)
        {
            return;
        }

        if (_text.Length + line.Length + 1 > MaxChars)
        {
            _text.Append("(The rest is in the job's log.)\n");
            _full = true;
        }
        else
        {
            _text.Append(line).Append('\n');
        }

        _dirty = true;

        // Throttled on the real clock: this only paces the writes of a file the window polls.
        if (TimeProvider.System.GetElapsedTime(_writtenAt) >= WriteInterval)
        {
            await FlushAsync();
        }
    }

    /// <summary>Writes what was said since the last write.</summary>
    public async ValueTask FlushAsync()
    {
        if (!_dirty)
        {
            return;
        }

        _dirty = false;
        _writtenAt = TimeProvider.System.GetTimestamp();
        try
        {
            await placement.WriteAsync(path, _text.ToString(), stop);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ExecutorException)
        {
            // The window only misses what it would have shown; the step and its log go on.
        }
    }
}
