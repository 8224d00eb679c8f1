using System.Text;

namespace Porthole.Execution.JobData;

/// <summary>
/// Go's <c>path/filepath.Match</c> on Linux, exactly: the globs of <c>persist_to_workspace</c>'s paths (§A5). <c>*</c> is
/// any run of characters but <c>/</c> (leading dots included), <c>?</c> one character but <c>/</c>, <c>[a-z]</c> and
/// <c>[^a-z]</c> a class (only <c>^</c> negates), <c>\</c> escapes; the whole name must match. A malformed pattern is
/// an error even where the name stopped matching before the fault, as Go checks the rest of the pattern.
/// </summary>
public static class GoPathMatch
{
    private const char Separator = '/';

    /// <summary>Whether <paramref name="name"/> matches <paramref name="pattern"/>; throws <see cref="BadPatternException"/> for a malformed pattern.</summary>
    public static bool Match(string pattern, string name)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(name);
        return Matches(pattern, name) ?? throw new BadPatternException($"syntax error in pattern \"{pattern}\"");
    }

    /// <summary>Whether the pattern is well-formed (Go's <c>Match(pattern, "")</c> returns no error).</summary>
    public static bool IsValid(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        return Matches(pattern, string.Empty) is not null;
    }

    /// <summary>Whether the path has any of the characters <see cref="Match"/> treats specially (<c>*?[\</c>), as Go's <c>hasMeta</c>.</summary>
    public static bool HasMeta(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return path.AsSpan().IndexOfAny("*?[\\") >= 0;
    }

    /// <summary>Go's <c>Match</c>: true or false, or null for ErrBadPattern.</summary>
    private static bool? Matches(ReadOnlySpan<char> pattern, ReadOnlySpan<char> name)
    {
        while (pattern.Length > 0)
        {
            pattern = ScanChunk(pattern, out var star, out var chunk);
            if (star && chunk.IsEmpty)
            {
                // A trailing * matches the rest of the name unless it has a /.
                return name.IndexOf(Separator) < 0;
            }

            var ok = MatchChunk(chunk, name, out var remainder, out var bad);
            if (ok && (remainder.IsEmpty || pattern.Length > 0))
            {
                name = remainder;
                continue;
            }

            if (bad)
            {
                return null;
            }

            if (star)
            {
                if (TrySkip(chunk, pattern.IsEmpty, ref name, out var badInSkip))
                {
                    continue;
                }

                if (badInSkip)
                {
                    return null;
                }
            }

            // Before saying no, check that the rest of the pattern is well-formed.
            while (pattern.Length > 0)
            {
                pattern = ScanChunk(pattern, out _, out chunk);
                if (!MatchChunk(chunk, [], out _, out bad) && bad)
                {
                    return null;
                }
            }

            return false;
        }

        return name.IsEmpty;
    }

    /// <summary>After a star: the chunk matched further on, skipping 1, 2… characters but never a /.</summary>
    private static bool TrySkip(ReadOnlySpan<char> chunk, bool lastChunk, ref ReadOnlySpan<char> name, out bool bad)
    {
        bad = false;
        for (var i = 0; i < name.Length && name[i] != Separator; i++)
        {
            if (MatchChunk(chunk, name[(i + 1)..], out var remainder, out var badHere))
            {
                // The last chunk must use up the name.
                if (lastChunk && remainder.Length > 0)
                {
                    continue;
                }

                name = remainder;
                return true;
            }

            if (badHere)
            {
                bad = true;
                return false;
            }
        }

        return false;
    }

    /// <summary>The next piece of the pattern: stars, then everything up to the next star outside a class.</summary>
    private static ReadOnlySpan<char> ScanChunk(ReadOnlySpan<char> pattern, out bool star, out ReadOnlySpan<char> chunk)
    {
        star = false;
        while (pattern.Length > 0 && pattern[0] == '*')
        {
            pattern = pattern[1..];
            star = true;
        }

        var inRange = false;
        var i = 0;
        for (; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\')
            {
                // A trailing \ is caught by MatchChunk as a bad pattern.
                if (i + 1 < pattern.Length)
                {
                    i++;
                }
            }
            else if (c == '[')
            {
                inRange = true;
            }
            else if (c == ']')
            {
                inRange = false;
            }
            else if (c == '*' && !inRange)
            {
                break;
            }
        }

        chunk = pattern[..i];
        return pattern[i..];
    }

    /// <summary>
    /// Whether the chunk (literals, classes and ?) matches the start of <paramref name="s"/>, and what is left of it.
    /// Once the match fails the chunk is still read to the end, to find a malformed class (Go does the same).
    /// </summary>
    private static bool MatchChunk(ReadOnlySpan<char> chunk, ReadOnlySpan<char> s, out ReadOnlySpan<char> rest, out bool bad)
    {
        rest = [];
        bad = false;
        var failed = false;
        while (chunk.Length > 0)
        {
            if (!failed && s.IsEmpty)
            {
                failed = true;
            }

            switch (chunk[0])
            {
                case '[':
                    var r = default(Rune);
                    if (!failed)
                    {
                        r = DecodeRune(s, out var length);
                        s = s[length..];
                    }

                    chunk = chunk[1..];
                    if (!MatchClass(ref chunk, r, out var inClass))
                    {
                        bad = true;
                        return false;
                    }

                    failed |= !inClass;
                    break;

                case '?':
                    if (!failed)
                    {
                        failed = s[0] == Separator;
                        DecodeRune(s, out var length);
                        s = s[length..];
                    }

                    chunk = chunk[1..];
                    break;

                default:
                    if (chunk[0] == '\\')
                    {
                        chunk = chunk[1..];
                        if (chunk.IsEmpty)
                        {
                            bad = true;
                            return false;
                        }
                    }

                    if (!failed)
                    {
                        failed = chunk[0] != s[0];
                        s = s[1..];
                    }

                    chunk = chunk[1..];
                    break;
            }
        }

        if (!failed)
        {
            rest = s;
        }

        return !failed;
    }

    /// <summary>Reads a class after its <c>[</c>; false when it is malformed, else whether <paramref name="r"/> is in it.</summary>
    private static bool MatchClass(ref ReadOnlySpan<char> chunk, Rune r, out bool inClass)
    {
        inClass = false;
        var negated = chunk.Length > 0 && chunk[0] == '^';
        if (negated)
        {
            chunk = chunk[1..];
        }

        var match = false;
        var ranges = 0;
        while (true)
        {
            if (chunk.Length > 0 && chunk[0] == ']' && ranges > 0)
            {
                chunk = chunk[1..];
                break;
            }

            if (!GetEscaped(ref chunk, out var low))
            {
                return false;
            }

            var high = low;
            if (chunk[0] == '-')
            {
                chunk = chunk[1..];
                if (!GetEscaped(ref chunk, out high))
                {
                    return false;
                }
            }

            match |= low <= r && r <= high;
            ranges++;
        }

        inClass = match != negated;
        return true;
    }

    /// <summary>A class's character, maybe escaped; false for what Go calls a bad pattern (a bare - or ], the class's end).</summary>
    private static bool GetEscaped(ref ReadOnlySpan<char> chunk, out Rune r)
    {
        r = default;
        if (chunk.IsEmpty || chunk[0] is '-' or ']')
        {
            return false;
        }

        if (chunk[0] == '\\')
        {
            chunk = chunk[1..];
            if (chunk.IsEmpty)
            {
                return false;
            }
        }

        if (Rune.DecodeFromUtf16(chunk, out r, out var length) != System.Buffers.OperationStatus.Done)
        {
            return false;
        }

        chunk = chunk[length..];
        return !chunk.IsEmpty;
    }

    private static Rune DecodeRune(ReadOnlySpan<char> s, out int length)
    {
        Rune.DecodeFromUtf16(s, out var r, out length);
        return r;
    }
}
