using System.Text;

namespace Porthole.Ssh.Recording;

/// <summary>
/// What one writer saw of a debug session: the tmux client's process id (its session's, as the audit line names it),
/// when it attached, and its recording's events, from the screen as it was then.
/// </summary>
internal sealed record DebugSlice(int ProcessId, TimeSpan Attached, TimeSpan Detached, CastHeader Header, List<CastEvent> Events, bool Truncated);

/// <summary>
/// The shared window of a debug session as the runner's control client sees it (R-BEY-2): what its current pane wrote,
/// its resizes and its redraws (another pane became current), on one time line from the recorder's start; and when each
/// writer's client attached, with the screen it found then, and left. <see cref="Slices"/> cuts one recording per writer
/// out of it: the screen at its attach, then the window's stream until it left. The stream keeps at most
/// <see cref="AsciicastWriter.MaxSessionBytes"/> and <see cref="AsciicastWriter.MaxEvents"/>; a writer who was there when
/// it filled gets a recording that says it was cut. Not thread-safe: one reader feeds it.
/// </summary>
internal sealed class DebugTimeline
{
    private readonly List<Entry> _entries = [];
    private readonly Dictionary<string, Participant> _attached = new(StringComparer.Ordinal);
    private readonly List<Participant> _participants = [];
    private long _bytes;
    private bool _full;
    private int _width = 80;
    private int _height = 24;

    /// <summary>The most writers' attaches one debug session keeps.</summary>
    public const int MaxParticipants = SessionRecordings.MaxRecordings;

    /// <summary>Bytes the current pane wrote.</summary>
    public void Output(TimeSpan at, byte[] data) => Add(new Entry(at, 'o', data, string.Empty), data.Length);

    /// <summary>The window's new size.</summary>
    public void Resize(TimeSpan at, int width, int height)
    {
        if (width == _width && height == _height)
        {
            return;
        }

        (_width, _height) = (width, height);
        Add(new Entry(at, 'r', [], $"{width}x{height}"), 0);
    }

    /// <summary>The whole screen drawn again (another pane became the current one): every writer attached sees it.</summary>
    public void Redraw(TimeSpan at, byte[] screen) => Add(new Entry(at, 'o', screen, string.Empty), screen.Length);

    /// <summary>A writer's client attached, and the screen it found.</summary>
    public void Attached(TimeSpan at, string client, int processId, byte[] screen)
    {
        if (_participants.Count >= MaxParticipants || _attached.ContainsKey(client))
        {
            return;
        }

        var participant = new Participant(processId, at, _entries.Count, new CastHeader(_width, _height, null, null), screen) { Truncated = _full };
        _attached[client] = participant;
        _participants.Add(participant);
    }

    /// <summary>A client left; one that never attached as a writer is none of the recording's.</summary>
    public void Detached(TimeSpan at, string client)
    {
        if (_attached.Remove(client, out var participant))
        {
            participant.End(at, _entries.Count);
        }
    }

    /// <summary>The session is over: every writer still attached leaves now.</summary>
    public void End(TimeSpan at)
    {
        foreach (var participant in _attached.Values)
        {
            participant.End(at, _entries.Count);
        }

        _attached.Clear();
    }

    /// <summary>One recording per writer's attach, in the order they attached; call it after <see cref="End"/>.</summary>
    public IReadOnlyList<DebugSlice> Slices() => [.. _participants.Where(p => p.Ended).Select(Slice)];

    private DebugSlice Slice(Participant participant)
    {
        var decoder = new UTF8Encoding(false, false).GetDecoder();
        var events = new List<CastEvent> { new(0, 'o', Decode(decoder, participant.Screen)) };
        for (var i = participant.FirstEntry; i < participant.LastEntry; i++)
        {
            var entry = _entries[i];
            var time = Math.Max(0, (entry.At - participant.Attached).TotalSeconds);
            events.Add(entry.Kind == 'r' ? new CastEvent(time, 'r', entry.Text) : new CastEvent(time, 'o', Decode(decoder, entry.Data)));
        }

        return new DebugSlice(participant.ProcessId, participant.Attached, participant.Detached, participant.Header, events, participant.Truncated);
    }

    private static string Decode(Decoder decoder, byte[] data)
    {
        var chars = new char[decoder.GetCharCount(data, flush: false) + 4];
        return new string(chars, 0, decoder.GetChars(data, 0, data.Length, chars, 0, flush: false));
    }

    private void Add(Entry entry, int size)
    {
        if (_full)
        {
            return;
        }

        if (_bytes + size > AsciicastWriter.MaxSessionBytes || _entries.Count >= AsciicastWriter.MaxEvents)
        {
            _full = true;
            foreach (var participant in _attached.Values)
            {
                participant.Truncated = true;
            }

            return;
        }

        _bytes += size;
        _entries.Add(entry);
    }

    private readonly record struct Entry(TimeSpan At, char Kind, byte[] Data, string Text);

    private sealed class Participant(int processId, TimeSpan attached, int firstEntry, CastHeader header, byte[] screen)
    {
        public int ProcessId { get; } = processId;

        public TimeSpan Attached { get; } = attached;

        public int FirstEntry { get; } = firstEntry;

        public CastHeader Header { get; } = header;

        public byte[] Screen { get; } = screen;

        public bool Truncated { get; set; }

        public bool Ended { get; private set; }

        public TimeSpan Detached { get; private set; }

        public int LastEntry { get; private set; }

        public void End(TimeSpan at, int lastEntry)
        {
            (Ended, Detached, LastEntry) = (true, at, lastEntry);
        }
    }
}
