using System.Text;
using Porthole.Execution.Logging;

namespace Porthole.Execution.Sections;

/// <summary>
/// What a section writes to the node's log: masked like a step's output, and only while the section is reported
/// running, so that its bytes stay inside its byte range (a section abandoned after a cancel cannot write later).
/// </summary>
internal sealed class SectionOutput(MaskingLogWriter writer)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _closed;

    public MaskingLogWriter Writer { get; } = writer;

    public async ValueTask WriteAsync(string text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return;
        }

        await _gate.WaitAsync(CancellationToken.None);
        try
        {
            if (!_closed)
            {
                await Writer.WriteAsync(Encoding.UTF8.GetBytes(text), CancellationToken.None);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Releases what the masking held back and refuses later writes.</summary>
    public async ValueTask CloseAsync()
    {
        await _gate.WaitAsync(CancellationToken.None);
        try
        {
            _closed = true;
            await Writer.FlushAsync();
        }
        finally
        {
            _gate.Release();
        }
    }
}
