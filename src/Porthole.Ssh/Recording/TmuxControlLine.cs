using System.Text;

namespace Porthole.Ssh.Recording;

/// <summary>What one line of a tmux control-mode client's output tells (tmux(1), CONTROL MODE).</summary>
internal enum TmuxControlKind
{
    /// <summary>A line this recorder has no use for (a command's reply, another notification).</summary>
    Other,

    /// <summary><c>%output %PANE DATA</c>: what a pane's program wrote.</summary>
    Output,

    /// <summary><c>%layout-change @WINDOW LAYOUT …</c>: a window's panes or size changed.</summary>
    LayoutChange,

    /// <summary><c>%window-pane-changed @WINDOW %PANE</c>: a window's active pane changed.</summary>
    PaneChanged,

    /// <summary><c>%session-window-changed $SESSION @WINDOW</c>: the session's current window changed.</summary>
    WindowChanged,

    /// <summary><c>%client-session-changed CLIENT $SESSION NAME</c>: a client attached (or moved to a session).</summary>
    ClientAttached,

    /// <summary><c>%client-detached CLIENT</c>: a client left.</summary>
    ClientDetached,

    /// <summary><c>%exit</c>: the control client is leaving (the server ended, or it was told to).</summary>
    Exit,
}

/// <summary>
/// One parsed line: its kind; the pane or window it names (<c>%3</c>, <c>@1</c>), or the client's name; the output's bytes;
/// a layout's size.
/// </summary>
internal sealed record TmuxControlLine(TmuxControlKind Kind, string Target = "", byte[]? Data = null, int Width = 0, int Height = 0)
{
    private static readonly TmuxControlLine OtherLine = new(TmuxControlKind.Other);

    /// <summary>
    /// Parses a line without its newline. tmux writes a pane's output with every byte below a space, and the backslash,
    /// as three octal digits after a backslash, and the rest as it is; a line that does not parse is <see cref="TmuxControlKind.Other"/>
    /// (the output is the job's: whatever it holds, it is only bytes of output).
    /// </summary>
    public static TmuxControlLine Parse(ReadOnlySpan<byte> line)
    {
        if (line.IsEmpty || line[0] != (byte)'%')
        {
            return OtherLine;
        }

        var space = line.IndexOf((byte)' ');
        var name = Encoding.ASCII.GetString(space < 0 ? line : line[..space]);
        var rest = space < 0 ? [] : line[(space + 1)..];
        switch (name)
        {
            case "%output":
                var paneEnd = rest.IndexOf((byte)' ');
                return paneEnd <= 0
                    ? OtherLine
                    : new TmuxControlLine(TmuxControlKind.Output, Encoding.ASCII.GetString(rest[..paneEnd]), Unescape(rest[(paneEnd + 1)..]));
            case "%layout-change":
                var words = Words(rest);
                return words.Length >= 2 && Size(words[1]) is { } size
                    ? new TmuxControlLine(TmuxControlKind.LayoutChange, words[0], Width: size.Width, Height: size.Height)
                    : OtherLine;
            case "%window-pane-changed":
                var panes = Words(rest);
                return panes.Length >= 2 ? new TmuxControlLine(TmuxControlKind.PaneChanged, panes[1]) : OtherLine;
            case "%session-window-changed":
                var windows = Words(rest);
                return windows.Length >= 2 ? new TmuxControlLine(TmuxControlKind.WindowChanged, windows[1]) : OtherLine;
            case "%client-session-changed":
                var attached = Words(rest);
                return attached.Length >= 1 ? new TmuxControlLine(TmuxControlKind.ClientAttached, attached[0]) : OtherLine;
            case "%client-detached":
                var detached = Words(rest);
                return detached.Length >= 1 ? new TmuxControlLine(TmuxControlKind.ClientDetached, detached[0]) : OtherLine;
            case "%exit":
                return new TmuxControlLine(TmuxControlKind.Exit);
            default:
                return OtherLine;
        }
    }

    /// <summary>A layout's size: its first field after the checksum (<c>b25f,80x24,0,0,2</c>).</summary>
    private static (int Width, int Height)? Size(string layout)
    {
        var fields = layout.Split(',');
        if (fields.Length < 2)
        {
            return null;
        }

        var size = fields[1].Split('x');
        return size.Length == 2 && ScriptTiming.Dimension(size[0]) is { } width && ScriptTiming.Dimension(size[1]) is { } height
            ? (width, height)
            : null;
    }

    private static string[] Words(ReadOnlySpan<byte> text) =>
        Encoding.UTF8.GetString(text).Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static byte[] Unescape(ReadOnlySpan<byte> text)
    {
        var result = new byte[text.Length];
        var length = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == (byte)'\\' && IsOctal(text, i + 1))
            {
                result[length++] = (byte)(((text[i + 1] - '0') << 6) | ((text[i + 2] - '0') << 3) | (text[i + 3] - '0'));
                i += 3;
                continue;
            }

            result[length++] = text[i];
        }

        return result[..length];
    }

    private static bool IsOctal(ReadOnlySpan<byte> text, int start) =>
        start + 3 <= text.Length
        && text[start] is >= (byte)'0' and <= (byte)'3'
        && text[start + 1] is >= (byte)'0' and <= (byte)'7'
        && text[start + 2] is >= (byte)'0' and <= (byte)'7';
}
