using System.Buffers;
using System.Text;
using Porthole.Execution.Executors;

namespace Porthole.Execution.Logging;

/// <summary>
/// One source of a node's log (a step's process, or the runner's own lines), masked before anything reaches
/// the reporter: the only way to <see cref="NodeLog"/>'s bytes. Without secrets, chunks pass through untouched.
/// With secrets, the end of a chunk that could be the beginning of a secret is held back until the next chunk
/// or <see cref="FlushAsync"/> (when the step ends), so a secret printed in two pieces is still masked; since a
/// secret pattern holds no newline, a complete line is never held back. Nothing is released on a timer: a
/// process that prints half a secret, sleeps and prints the rest must not leak the first half.
/// </summary>
internal sealed class MaskingLogWriter : IStepOutput
{
    private readonly NodeLog _log;
    private readonly SecretMasker _masker;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<Range> _matches = [];
    private byte[] _tail = [];
    private int _tailLength;
    private int _lastByte = '\n';

    internal MaskingLogWriter(NodeLog log, SecretMasker masker)
    {
        _log = log;
        _masker = masker;
    }

    /// <summary>Whether what this source wrote so far ends a line (true when it wrote nothing).</summary>
    public bool AtLineStart => Volatile.Read(ref _lastByte) == '\n';

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken)
    {
        if (chunk.IsEmpty)
        {
            return;
        }

        await _gate.WaitAsync(CancellationToken.None);
        try
        {
            Volatile.Write(ref _lastByte, chunk.Span[^1]);
            if (_masker.IsEmpty)
            {
                await _log.CommitAsync(chunk);
            }
            else
            {
                await WriteMaskedAsync(chunk);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask WriteTextAsync(string text)
    {
        await WriteAsync(Encoding.UTF8.GetBytes(text), CancellationToken.None);
        await FlushAsync();
    }

    /// <summary>Releases the held-back end, masked as far as it goes.</summary>
    public async ValueTask FlushAsync()
    {
        await _gate.WaitAsync(CancellationToken.None);
        try
        {
            if (_tailLength == 0)
            {
                return;
            }

            var tail = _tail.AsMemory(0, _tailLength);
            _masker.FindMatches(tail.Span, _matches);
            await EmitAsync(tail);
            _tailLength = 0;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async ValueTask WriteMaskedAsync(ReadOnlyMemory<byte> chunk)
    {
        byte[]? joined = null;
        try
        {
            var data = chunk;
            if (_tailLength > 0)
            {
                joined = ArrayPool<byte>.Shared.Rent(_tailLength + chunk.Length);
                _tail.AsSpan(0, _tailLength).CopyTo(joined);
                chunk.Span.CopyTo(joined.AsSpan(_tailLength));
                data = joined.AsMemory(0, _tailLength + chunk.Length);
                _tailLength = 0;
            }

            var boundary = FindReleasable(data.Span);
            await EmitAsync(data[..boundary]);
            KeepTail(data.Span[boundary..]);
        }
        finally
        {
            if (joined is not null)
            {
                ArrayPool<byte>.Shared.Return(joined);
            }
        }
    }

    /// <summary>How much of <paramref name="data"/> can go now; leaves in <see cref="_matches"/> the secrets within it.</summary>
    private int FindReleasable(ReadOnlySpan<byte> data)
    {
        _masker.FindMatches(data, _matches);
        var boundary = data.Length - _masker.HeldSuffixLength(data);

        // A secret that runs past the boundary is held back whole, so that a longer one overlapping it is still found whole.
        // Matches are sorted and do not overlap, so at most one crosses.
        for (var i = _matches.Count - 1; i >= 0 && _matches[i].End.Value > boundary; i--)
        {
            if (_matches[i].Start.Value < boundary)
            {
                boundary = _matches[i].Start.Value;
            }

            _matches.RemoveAt(i);
        }

        return boundary;
    }

    private async ValueTask EmitAsync(ReadOnlyMemory<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        if (_matches.Count == 0)
        {
            await _log.CommitAsync(data);
            return;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(data.Length + (_matches.Count * SecretMasker.Mask.Length));
        try
        {
            var length = Replace(data.Span, buffer);
            await _log.CommitAsync(buffer.AsMemory(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private int Replace(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        var written = 0;
        var from = 0;
        foreach (var match in _matches)
        {
            data[from..match.Start.Value].CopyTo(destination[written..]);
            written += match.Start.Value - from;
            SecretMasker.Mask.CopyTo(destination[written..]);
            written += SecretMasker.Mask.Length;
            from = match.End.Value;
        }

        data[from..].CopyTo(destination[written..]);
        return written + data.Length - from;
    }

    private void KeepTail(ReadOnlySpan<byte> rest)
    {
        if (_tail.Length < rest.Length)
        {
            _tail = new byte[Math.Max(rest.Length, _masker.MaxPatternLength * 2)];
        }

        rest.CopyTo(_tail);
        _tailLength = rest.Length;
    }
}
