using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Porthole.Ssh.Endpoints;

namespace Porthole.Ssh.Recording;

/// <summary>What a converted recording holds: its length in seconds, its terminal's first size, and whether it was cut.</summary>
/// <param name="Truncated">The session wrote or read more than <see cref="AsciicastWriter.MaxSessionBytes"/> (or more events than the cap): the rest is not in it.</param>
internal sealed record AsciicastSummary(double Seconds, int Width, int Height, int Events, bool Truncated, DateTimeOffset? StartedAt);

/// <summary>
/// Turns what util-linux <c>script</c> logged of one session (<c>-m advanced -B IO -T TIMING</c>) into an asciicast v2 file
/// (R-BEY-2): a header line (the terminal's size, when it started, its <c>TERM</c>) and one event a line, <c>[seconds, "o",
/// text]</c> for what the terminal showed, <c>"i"</c> for what was typed, <c>"r"</c> for a resize (<c>COLSxROWS</c>). Bytes
/// become text as UTF-8, stream by stream (a character cut between two writes is whole again); bytes that are not UTF-8
/// (binary noise) become U+FFFD, and control characters are JSON-escaped: the file is always valid. The job's secrets are
/// masked in both streams (<see cref="StreamMask"/>). Writes that come within <see cref="Coalesce"/> of the one before join
/// it (script logs every read; the player sees no difference). Both logs are the session account's files: whatever they
/// hold, the result is a valid recording of at most <see cref="MaxSessionBytes"/> and <see cref="MaxEvents"/>.
/// </summary>
internal static class AsciicastWriter
{
    /// <summary>The most of a session's output and input a recording keeps; the rest is cut (and the recording says so).</summary>
    public const long MaxSessionBytes = Contracts.Runners.SessionRecordingFile.MaxSessionBytes;

    public const int MaxEvents = 500_000;

    /// <summary>The longest header line of the IO log script writes (<c>Script started on … [COMMAND=…]</c>).</summary>
    private const int MaxHeaderBytes = 64 << 10;

    private const int MaxTimingLine = 4096;

    private const double Coalesce = 0.002;

    /// <summary>The most text writes are joined into (a fast stream of output stays many events).</summary>
    private const int MaxEventChars = 64 << 10;

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = false,
    };

    /// <summary>Converts; null when the IO log is not one of script's (no header line).</summary>
    public static AsciicastSummary? Convert(Stream timing, Stream io, SecretPatterns secrets, Stream output)
    {
        ArgumentNullException.ThrowIfNull(timing);
        ArgumentNullException.ThrowIfNull(io);
        ArgumentNullException.ThrowIfNull(secrets);
        ArgumentNullException.ThrowIfNull(output);
        if (!SkipHeaderLine(io))
        {
            return null;
        }

        var events = new List<CastEvent>();
        var decoders = new Dictionary<char, Decoder>
        {
            ['o'] = new UTF8Encoding(false, false).GetDecoder(),
            ['i'] = new UTF8Encoding(false, false).GetDecoder(),
        };
        var width = 80;
        var height = 24;
        string? term = null;
        DateTimeOffset? startedAt = null;
        double? duration = null;
        var time = 0.0;
        long bytes = 0;
        var truncated = false;
        var ended = false;
        StringBuilder? joining = null;
        var buffer = new byte[ScriptTiming.MaxEntryBytes];
        var chars = new char[ScriptTiming.MaxEntryBytes + 4];
        foreach (var line in Lines(timing))
        {
            if (!ScriptTiming.TryParse(line, out var entry))
            {
                continue;
            }

            time += entry.Delay;
            switch (entry.Kind)
            {
                case ScriptEntryKind.Header:
                    var (name, value) = ScriptTiming.Field(entry);
                    switch (name)
                    {
                        case "COLUMNS" when ScriptTiming.Dimension(value) is { } columns:
                            width = columns;
                            break;
                        case "LINES" when ScriptTiming.Dimension(value) is { } lines:
                            height = lines;
                            break;
                        case "TERM" when value.Length is > 0 and <= 64 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_'):
                            term = value;
                            break;
                        case "START_TIME" when DateTimeOffset.TryParseExact(value, "yyyy-MM-dd HH:mm:sszzz", CultureInfo.InvariantCulture, DateTimeStyles.None, out var started):
                            startedAt = started;
                            break;
                        case "DURATION" when double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds) && double.IsFinite(seconds):
                            duration = seconds;
                            break;
                    }

                    break;
                case ScriptEntryKind.Signal when !truncated && ScriptTiming.Resize(entry) is { } size:
                    Close(events, ref joining);
                    events.Add(new CastEvent(time, 'r', $"{size.Columns}x{size.Rows}"));
                    break;
                case ScriptEntryKind.Output or ScriptEntryKind.Input when !truncated:
                    if (bytes + entry.Size > MaxSessionBytes || events.Count >= MaxEvents)
                    {
                        truncated = true;
                        break;
                    }

                    var read = io.ReadAtLeast(buffer.AsSpan(0, entry.Size), entry.Size, throwOnEndOfStream: false);
                    bytes += read;
                    var kind = entry.Kind == ScriptEntryKind.Output ? 'o' : 'i';
                    var count = decoders[kind].GetChars(buffer, 0, read, chars, 0, flush: false);
                    Add(events, new CastEvent(time, kind, new string(chars, 0, count)), ref joining);
                    // A short read: the log ends here (the session was killed while script wrote); what came before is the recording.
                    ended = read < entry.Size;
                    break;
            }

            if (ended)
            {
                break;
            }
        }

        Close(events, ref joining);
        return Write(events, new CastHeader(width, height, term, startedAt), duration, truncated, secrets, output);
    }

    /// <summary>
    /// Writes a recording: the header, then the events with the job's secrets masked per stream (<see cref="StreamMask"/>);
    /// an empty event is left out. Its length is the last event's time, or <paramref name="duration"/> when longer and
    /// the recording was not cut.
    /// </summary>
    public static AsciicastSummary Write(List<CastEvent> events, CastHeader header, double? duration, bool truncated, SecretPatterns secrets, Stream output)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(secrets);
        ArgumentNullException.ThrowIfNull(output);
        var (width, height, term, startedAt) = header;
        Mask(events, 'o', secrets);
        Mask(events, 'i', secrets);
        using (var writer = new Utf8JsonWriter(output, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteNumber("version", 2);
            writer.WriteNumber("width", width);
            writer.WriteNumber("height", height);
            if (startedAt is { } start)
            {
                writer.WriteNumber("timestamp", start.ToUnixTimeSeconds());
            }

            writer.WriteStartObject("env");
            writer.WriteString("TERM", term ?? "xterm-256color");
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.Flush();
            var written = 0;
            foreach (var cast in events)
            {
                if (cast.Text.Length == 0)
                {
                    continue;
                }

                output.WriteByte((byte)'\n');
                writer.Reset();
                writer.WriteStartArray();
                writer.WriteRawValue(cast.Time.ToString("0.######", CultureInfo.InvariantCulture));
                writer.WriteStringValue(cast.Kind.ToString());
                writer.WriteStringValue(cast.Text);
                writer.WriteEndArray();
                writer.Flush();
                written++;
            }

            output.WriteByte((byte)'\n');
            var last = events.Count == 0 ? 0 : events[^1].Time;
            var seconds = Math.Max(last, duration is { } d && d >= last && !truncated ? d : last);
            return new AsciicastSummary(Math.Round(seconds, 3), width, height, written, truncated, startedAt);
        }
    }

    /// <summary>
    /// Joins a write to the one before when it is of the same stream, comes within <see cref="Coalesce"/> of its first write, and the
    /// joined event stays under <see cref="MaxEventChars"/>.
    /// </summary>
    private static void Add(List<CastEvent> events, CastEvent next, ref StringBuilder? joining)
    {
        if (next.Text.Length == 0)
        {
            return;
        }

        if (events.Count > 0 && events[^1] is var last && last.Kind == next.Kind && next.Time - last.Time < Coalesce
            && (joining?.Length ?? last.Text.Length) + next.Text.Length <= MaxEventChars)
        {
            joining ??= new StringBuilder(last.Text);
            joining.Append(next.Text);
            return;
        }

        Close(events, ref joining);
        events.Add(next);
    }

    /// <summary>Gives the last event the text joined into it.</summary>
    private static void Close(List<CastEvent> events, ref StringBuilder? joining)
    {
        if (joining is not null)
        {
            events[^1] = events[^1] with { Text = joining.ToString() };
            joining = null;
        }
    }

    private static void Mask(List<CastEvent> events, char kind, SecretPatterns secrets)
    {
        var indexes = Enumerable.Range(0, events.Count).Where(i => events[i].Kind == kind).ToList();
        var masked = StreamMask.Apply([.. indexes.Select(i => events[i].Text)], secrets);
        for (var n = 0; n < indexes.Count; n++)
        {
            events[indexes[n]] = events[indexes[n]] with { Text = masked[n] };
        }
    }

    /// <summary>Moves past script's first line of the IO log (<c>Script started on …</c>), which the timing log does not count.</summary>
    private static bool SkipHeaderLine(Stream io)
    {
        for (var n = 0; n < MaxHeaderBytes; n++)
        {
            var b = io.ReadByte();
            if (b < 0)
            {
                return false;
            }

            if (b == '\n')
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The timing log's lines; a line longer than script ever writes ends the log there.</summary>
    private static IEnumerable<string> Lines(Stream timing)
    {
        var line = new StringBuilder();
        int b;
        while ((b = timing.ReadByte()) >= 0)
        {
            if (b == '\n')
            {
                yield return line.ToString();
                line.Clear();
            }
            else if (line.Length >= MaxTimingLine)
            {
                yield break;
            }
            else
            {
                line.Append((char)b);
            }
        }

        if (line.Length > 0)
        {
            yield return line.ToString();
        }
    }

}

/// <summary>One event of a recording: seconds since its start, <c>o</c> (shown), <c>i</c> (typed) or <c>r</c> (resized to <c>COLSxROWS</c>), and its text.</summary>
internal readonly record struct CastEvent(double Time, char Kind, string Text);

/// <summary>A recording's header: the terminal's first size, its <c>TERM</c> (xterm-256color when null) and when it started.</summary>
internal sealed record CastHeader(int Width, int Height, string? Term, DateTimeOffset? StartedAt);
