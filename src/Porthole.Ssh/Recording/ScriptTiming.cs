using System.Globalization;

namespace Porthole.Ssh.Recording;

/// <summary>What one line of util-linux <c>script</c>'s advanced timing log says.</summary>
internal enum ScriptEntryKind
{
    /// <summary><c>H</c>: a header field (<c>COLUMNS 80</c>), or a trailer one (<c>DURATION</c>, <c>EXIT_CODE</c>).</summary>
    Header,

    /// <summary><c>O</c>: bytes the session's program wrote to its terminal.</summary>
    Output,

    /// <summary><c>I</c>: bytes typed into the session.</summary>
    Input,

    /// <summary><c>S</c>: a signal; <c>SIGWINCH ROWS=24 COLS=80</c> is a resize.</summary>
    Signal,
}

/// <summary>One line of the timing log: its kind, the seconds since the previous line, and a size (output, input) or text (header, signal).</summary>
internal readonly record struct ScriptEntry(ScriptEntryKind Kind, double Delay, int Size, string Text);

/// <summary>
/// Reads util-linux <c>script</c>'s advanced timing log (<c>-m advanced -T</c>): <c>KIND DELAY SIZE-OR-TEXT</c> a line,
/// the delay in seconds since the line before. A line that does not parse is not an entry; so is a delay that is not a
/// finite, non-negative number or a size past <see cref="MaxEntryBytes"/> (the log is the session account's file).
/// </summary>
internal static class ScriptTiming
{
    /// <summary>script writes what one read(2) gave; nothing sane is larger.</summary>
    public const int MaxEntryBytes = 1 << 20;

    public static bool TryParse(string line, out ScriptEntry entry)
    {
        entry = default;
        var parts = line.Split(' ', 3);
        if (parts.Length < 3 || parts[0].Length != 1
            || !double.TryParse(parts[1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var delay)
            || !double.IsFinite(delay) || delay < 0)
        {
            return false;
        }

        ScriptEntryKind kind;
        switch (parts[0][0])
        {
            case 'O':
                kind = ScriptEntryKind.Output;
                break;
            case 'I':
                kind = ScriptEntryKind.Input;
                break;
            case 'H':
                entry = new ScriptEntry(ScriptEntryKind.Header, delay, 0, parts[2]);
                return true;
            case 'S':
                entry = new ScriptEntry(ScriptEntryKind.Signal, delay, 0, parts[2]);
                return true;
            default:
                return false;
        }

        if (!int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var size) || size > MaxEntryBytes)
        {
            return false;
        }

        entry = new ScriptEntry(kind, delay, size, string.Empty);
        return true;
    }

    /// <summary>A header entry's name and value (<c>COLUMNS 80</c>).</summary>
    public static (string Name, string Value) Field(ScriptEntry header)
    {
        var space = header.Text.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? (header.Text, string.Empty) : (header.Text[..space], header.Text[(space + 1)..]);
    }

    /// <summary>A resize's new size (<c>SIGWINCH ROWS=24 COLS=80</c>), or null for another signal.</summary>
    public static (int Columns, int Rows)? Resize(ScriptEntry signal)
    {
        var parts = signal.Text.Split(' ');
        if (parts.Length < 3 || parts[0] != "SIGWINCH")
        {
            return null;
        }

        int? rows = null;
        int? columns = null;
        foreach (var part in parts.Skip(1))
        {
            if (part.StartsWith("ROWS=", StringComparison.Ordinal) && Dimension(part[5..]) is { } r)
            {
                rows = r;
            }
            else if (part.StartsWith("COLS=", StringComparison.Ordinal) && Dimension(part[5..]) is { } c)
            {
                columns = c;
            }
        }

        return rows is { } height && columns is { } width ? (width, height) : null;
    }

    /// <summary>A terminal dimension: 1 to 10000.</summary>
    public static int? Dimension(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value is > 0 and <= 10_000 ? value : null;
}
