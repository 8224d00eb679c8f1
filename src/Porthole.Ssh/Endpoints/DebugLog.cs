using System.Text;
using Porthole.Execution.Executors;
using Porthole.Execution.Sections;

namespace Porthole.Ssh.Endpoints;

/// <summary>The Debug section's writes, one at a time, knowing whether the log stands at a line's start (the tails interleave).</summary>
internal sealed class DebugLog(NodeSectionContext context) : IStepOutput
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _atLineStart = true;

    /// <param name="newLine">Start on a line of its own.</param>
    public async ValueTask WriteAsync(string text, bool newLine = false)
    {
        if (text.Length == 0)
        {
            return;
        }

        await _gate.WaitAsync(CancellationToken.None);
        try
        {
            if (newLine && !_atLineStart)
            {
                text = "\n" + text;
            }

            await context.WriteAsync(text);
            _atLineStart = text.EndsWith('\n');
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task KeepAliveAsync() => await WriteAsync(".");

    ValueTask IStepOutput.WriteAsync(ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken) =>
        WriteAsync(Encoding.UTF8.GetString(chunk.Span));
}
