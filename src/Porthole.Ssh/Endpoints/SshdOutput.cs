using System.Text;
using Porthole.Execution.Executors;

namespace Porthole.Ssh.Endpoints;

/// <summary>Cuts sshd's merged output into lines and hands each to the endpoint; keeps the last lines for error messages.</summary>
internal sealed class SshdOutput(Action<string> onLine) : IStepOutput
{
    private const int KeptLines = 20;

    private readonly List<byte> _partial = [];
    private readonly Queue<string> _recent = new();
    private readonly Lock _gate = new();

    public IReadOnlyList<string> RecentLines
    {
        get
        {
            lock (_gate)
            {
                return [.. _recent];
            }
        }
    }

    public ValueTask WriteAsync(ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken)
    {
        var span = chunk.Span;
        while (!span.IsEmpty)
        {
            var newline = span.IndexOf((byte)'\n');
            if (newline < 0)
            {
                _partial.AddRange(span);
                break;
            }

            _partial.AddRange(span[..newline]);
            span = span[(newline + 1)..];
            var line = Encoding.UTF8.GetString([.. _partial]).TrimEnd('\r');
            _partial.Clear();
            lock (_gate)
            {
                _recent.Enqueue(line);
                if (_recent.Count > KeptLines)
                {
                    _recent.Dequeue();
                }
            }

            onLine(line);
        }

        return ValueTask.CompletedTask;
    }
}
