using System.Text;

namespace Porthole.Execution.Logging;

/// <summary>The byte patterns to hide from a node's log, by <see cref="SecretValues"/>' rule; a match never spans two lines.</summary>
internal sealed class SecretMasker
{
    public const int MinimumLength = SecretValues.MinimumLength;

    public static readonly byte[] Mask = Encoding.UTF8.GetBytes(SecretValues.Mask);

    private readonly byte[][] _patterns;

    private SecretMasker(byte[][] patterns)
    {
        _patterns = patterns;
        MaxPatternLength = patterns.Length == 0 ? 0 : patterns.Max(p => p.Length);
    }

    public static SecretMasker None { get; } = new([]);

    public bool IsEmpty => _patterns.Length == 0;

    public int MaxPatternLength { get; }

    public static SecretMasker Create(IEnumerable<string> secretValues)
    {
        return new SecretMasker([.. SecretValues.Patterns(secretValues).Select(Encoding.UTF8.GetBytes)]);
    }

    /// <summary>Finds every occurrence of every pattern; overlapping occurrences are merged into one range, sorted by start.</summary>
    public void FindMatches(ReadOnlySpan<byte> data, List<Range> matches)
    {
        matches.Clear();
        foreach (var pattern in _patterns)
        {
            var from = 0;
            while (from <= data.Length - pattern.Length)
            {
                var index = data[from..].IndexOf(pattern);
                if (index < 0)
                {
                    break;
                }

                matches.Add(new Range(from + index, from + index + pattern.Length));
                from += index + 1;
            }
        }

        if (matches.Count > 1)
        {
            matches.Sort(static (a, b) => a.Start.Value.CompareTo(b.Start.Value));
            var merged = 0;
            for (var i = 1; i < matches.Count; i++)
            {
                var current = matches[merged];
                var next = matches[i];
                if (next.Start.Value < current.End.Value)
                {
                    matches[merged] = new Range(current.Start, Math.Max(current.End.Value, next.End.Value));
                }
                else
                {
                    matches[++merged] = next;
                }
            }

            matches.RemoveRange(merged + 1, matches.Count - merged - 1);
        }
    }

    /// <summary>
    /// The length of the longest end of <paramref name="data"/> that is the beginning of a pattern (and not a whole one):
    /// those bytes may be the first part of a secret whose rest has not arrived yet. A newline ends any such candidate,
    /// so a complete line is never held back.
    /// </summary>
    public int HeldSuffixLength(ReadOnlySpan<byte> data)
    {
        var lastLine = data.LastIndexOf((byte)'\n') + 1;
        var longest = Math.Min(data.Length - lastLine, MaxPatternLength - 1);
        for (var length = longest; length > 0; length--)
        {
            var suffix = data[^length..];
            foreach (var pattern in _patterns)
            {
                if (pattern.Length > length && pattern[0] == suffix[0] && pattern.AsSpan(0, length).SequenceEqual(suffix))
                {
                    return length;
                }
            }
        }

        return 0;
    }
}
