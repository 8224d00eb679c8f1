using Porthole.Ssh.Endpoints;

namespace Porthole.Ssh.Recording;

/// <summary>
/// Masks the job's secrets in one stream of a recording (what the terminal showed, or what was typed), cut in events: a
/// secret that spans events (printed in two writes) is masked too. The events are joined, every secret found in the whole,
/// and an event's end that falls inside one moves to its end: the secret goes whole into the event where it began, and
/// the next event loses it. Then each event is masked on its own, as the log is (<see cref="SecretPatterns.MaskText"/>).
/// </summary>
internal static class StreamMask
{
    public static string[] Apply(IReadOnlyList<string> events, SecretPatterns secrets)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(secrets);
        var result = events.ToArray();
        if (secrets.Values.Count == 0 || events.Count == 0)
        {
            return result;
        }

        var whole = string.Concat(events);
        var matches = Matches(whole, secrets.Values);
        if (matches.Count == 0)
        {
            return result;
        }

        var start = 0;
        var originalEnd = 0;
        var next = 0;
        for (var i = 0; i < events.Count; i++)
        {
            originalEnd += events[i].Length;
            var end = Math.Max(originalEnd, start);
            while (next < matches.Count && matches[next].End <= end)
            {
                next++;
            }

            if (next < matches.Count && matches[next].Start < end)
            {
                end = matches[next].End;
            }

            result[i] = secrets.MaskText(whole[start..end]);
            start = end;
        }

        return result;
    }

    /// <summary>Every occurrence of every secret, overlapping ones merged, in order.</summary>
    private static List<(int Start, int End)> Matches(string text, IReadOnlyList<string> values)
    {
        var found = new List<(int Start, int End)>();
        foreach (var value in values)
        {
            for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + 1, StringComparison.Ordinal))
            {
                found.Add((at, at + value.Length));
            }
        }

        found.Sort((a, b) => a.Start.CompareTo(b.Start));
        var merged = new List<(int Start, int End)>();
        foreach (var match in found)
        {
            if (merged.Count > 0 && match.Start < merged[^1].End)
            {
                merged[^1] = (merged[^1].Start, Math.Max(merged[^1].End, match.End));
            }
            else
            {
                merged.Add(match);
            }
        }

        return merged;
    }
}
