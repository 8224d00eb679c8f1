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
        var matches = secrets.Matches(whole);
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
}
