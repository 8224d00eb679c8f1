using System.Buffers;

namespace Porthole.Cli.Output;

/// <summary>
/// A write-only stream that passes bytes on to another without ANSI escape sequences: CSI (colours, cursor moves:
/// <c>ESC [ … final</c>), OSC (titles, hyperlinks: <c>ESC ] … BEL</c> or <c>ESC ] … ESC \</c>), DCS, SOS, PM and APC
/// strings (<c>ESC P|X|^|_ … ESC \</c>) and the other escape sequences (<c>ESC ( B</c>, <c>ESC 7</c>, …), as ECMA-48
/// defines them. It works on bytes, so everything else (invalid UTF-8 included) passes unchanged, and keeps its state
/// between writes, so a sequence split across two writes is still removed. The inner stream is not disposed with it.
/// </summary>
/// <remarks>
/// Where a terminal would swallow what follows a malformed sequence, this keeps the text: a byte that cannot continue a
/// sequence ends it and is passed on, and an unterminated string ends at the end of its line (a program killed while
/// setting a title must not hide the rest of the log). 8-bit C1 controls are not recognised: logs are UTF-8.
/// </remarks>
public sealed class AnsiStrippingStream : Stream
{
    private const byte Esc = 0x1b;
    private const byte Bel = 0x07;
    private const byte Can = 0x18;
    private const byte Sub = 0x1a;

    private readonly Stream _inner;
    private State _state = State.Text;

    public AnsiStrippingStream(Stream inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
    }

    private enum State
    {
        Text,

        /// <summary>After ESC.</summary>
        Escape,

        /// <summary>After ESC and one or more intermediate bytes (0x20–0x2F), waiting for the final byte.</summary>
        EscapeIntermediate,

        /// <summary>After <c>ESC [</c>: parameter and intermediate bytes until a final byte (0x40–0x7E).</summary>
        Csi,

        /// <summary>In an OSC string, which BEL or ST (<c>ESC \</c>) ends.</summary>
        Osc,

        /// <summary>In a DCS, SOS, PM or APC string, which ST ends.</summary>
        ControlString,

        /// <summary>After an ESC inside a string: <c>\</c> completes ST, anything else starts a new sequence.</summary>
        StringEscape,
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Copies <paramref name="input"/> to <paramref name="output"/> (at least as long) without escape sequences; returns the bytes written.</summary>
    public int Strip(ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (output.Length < input.Length)
        {
            throw new ArgumentException("the output must be at least as long as the input", nameof(output));
        }

        var written = 0;
        foreach (var b in input)
        {
            if (Keep(b))
            {
                output[written++] = b;
            }
        }

        return written;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        var rented = ArrayPool<byte>.Shared.Rent(buffer.Length);
        try
        {
            var length = Strip(buffer, rented);
            _inner.Write(rented, 0, length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var rented = ArrayPool<byte>.Shared.Rent(buffer.Length);
        try
        {
            var length = Strip(buffer.Span, rented);
            await _inner.WriteAsync(rented.AsMemory(0, length), cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public override void Flush() => _inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>Advances the state machine by one byte; true when the byte is text to pass on.</summary>
    private bool Keep(byte b)
    {
        switch (_state)
        {
            case State.Text:
                if (b == Esc)
                {
                    _state = State.Escape;
                    return false;
                }

                return true;

            case State.Escape:
                switch (b)
                {
                    case (byte)'[':
                        _state = State.Csi;
                        return false;
                    case (byte)']':
                        _state = State.Osc;
                        return false;
                    case (byte)'P' or (byte)'X' or (byte)'^' or (byte)'_':
                        _state = State.ControlString;
                        return false;
                    case >= 0x20 and <= 0x2f:
                        _state = State.EscapeIntermediate;
                        return false;
                    default:
                        return EndOrContinue(b, continues: false, finalFrom: 0x30);
                }

            case State.EscapeIntermediate:
                return EndOrContinue(b, continues: b is >= 0x20 and <= 0x2f, finalFrom: 0x30);

            case State.Csi:
                return EndOrContinue(b, continues: b is >= 0x20 and <= 0x3f, finalFrom: 0x40);

            case State.Osc:
            case State.ControlString:
                if (b == Esc)
                {
                    _state = State.StringEscape;
                }
                else if ((b == Bel && _state == State.Osc) || b is Can or Sub)
                {
                    _state = State.Text;
                }
                else if (b == (byte)'\n')
                {
                    _state = State.Text;
                    return true;
                }

                return false;

            case State.StringEscape:
                if (b == (byte)'\\')
                {
                    _state = State.Text;
                    return false;
                }

                // The ESC ended the string and starts a sequence of its own.
                _state = State.Escape;
                return Keep(b);

            default:
                throw new InvalidOperationException($"unknown state {_state}");
        }
    }

    /// <summary>In a sequence: stays in it while <paramref name="continues"/>, ends it on a final byte, and otherwise ends it and keeps the byte.</summary>
    private bool EndOrContinue(byte b, bool continues, byte finalFrom)
    {
        if (continues)
        {
            return false;
        }

        if (b == Esc)
        {
            _state = State.Escape;
            return false;
        }

        _state = State.Text;
        return !IsFinal(b, finalFrom);
    }

    private static bool IsFinal(byte b, byte from) => b >= from && b <= 0x7e;
}
