using System.Text;

namespace Porthole.Pipeline.Travis.Matrix;

/// <summary>
/// What makes two env entries the same to travis-yml: it reads <c>"A=1 B=2"</c> into the hash <c>{A: "1", B: "2"}</c>
/// (the sh_vars gem: words split shell-style, quotes kept in values, a bare word is a name with an empty value, the last
/// of a repeated name wins) and compares hashes, so <c>"B=2 A=1"</c> is the same entry, while <c>"DB=mongodb"</c> and
/// <c>"DB=mongodb SUITE=all"</c> differ (§B9 step 7). The identity is a canonical text of that hash.
/// </summary>
internal static class EnvIdentity
{
    /// <summary>Substitutions nested deeper than this are not followed (the entry is then compared as written).</summary>
    private const int MaxNesting = 32;

    /// <summary>The identity of a string entry; an entry that does not split (an unclosed quote) is itself, as written.</summary>
    public static string OfText(string text)
    {
        var pairs = Pairs(text.Trim());
        return pairs is null ? "raw:" + text.Trim() : OfPairs(pairs);
    }

    /// <summary>The identity of the variables <paramref name="pairs"/> (a map entry's keys and values).</summary>
    public static string OfPairs(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        var last = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in pairs)
        {
            last[name] = value;
        }

        var text = new StringBuilder("vars:");
        foreach (var (name, value) in last)
        {
            text.Append(name.Length).Append(':').Append(name).Append('=').Append(value.Length).Append(':').Append(value);
        }

        return text.ToString();
    }

    private static List<KeyValuePair<string, string>>? Pairs(string text)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        var i = 0;
        while (i < text.Length)
        {
            if (char.IsWhiteSpace(text[i]))
            {
                i++;
                continue;
            }

            var start = i;
            if (!SkipWord(text, ref i))
            {
                return null;
            }

            var word = text[start..i];
            if (word.Length > 1 && word[0] == '"' && QuotedEnd(word, 0) == word.Length)
            {
                // sh_vars reads a whole double-quoted word ("FOO=bar") as the pair inside it.
                word = word[1..^1].Replace("\\\"", "\"", StringComparison.Ordinal);
            }

            var equals = word.IndexOf('=', StringComparison.Ordinal);
            if (equals == 0)
            {
                return null;
            }

            pairs.Add(equals < 0 ? new(word, "") : new(word[..equals], word[(equals + 1)..]));
        }

        return pairs;
    }

    /// <summary>Moves past one word; false when a quote, backtick or <c>$(</c>/<c>${</c> in it is not closed.</summary>
    private static bool SkipWord(string text, ref int i)
    {
        while (i < text.Length && !char.IsWhiteSpace(text[i]))
        {
            var end = PartEnd(text, i, 0);
            if (end < 0)
            {
                return false;
            }

            i = end;
        }

        return true;
    }

    /// <summary>The index after the quoted string, substitution or character at <paramref name="i"/>; -1 when it is not closed.</summary>
    private static int PartEnd(string text, int i, int depth)
    {
        var c = text[i];
        var next = i + 1 < text.Length ? text[i + 1] : '\0';
        return c switch
        {
            '\\' => Math.Min(i + 2, text.Length),
            '"' => QuotedEnd(text, i),
            '\'' or '`' => text.IndexOf(c, i + 1) is var close and >= 0 ? close + 1 : -1,
            '$' when next is '(' or '{' => depth < MaxNesting ? BracketEnd(text, i + 1, depth + 1) : -1,
            _ => i + 1,
        };
    }

    private static int QuotedEnd(string text, int open)
    {
        for (var i = open + 1; i < text.Length; i++)
        {
            if (text[i] == '\\')
            {
                i++;
            }
            else if (text[i] == '"')
            {
                return i + 1;
            }
        }

        return -1;
    }

    private static int BracketEnd(string text, int open, int depth)
    {
        var closing = text[open] == '(' ? ')' : '}';
        for (var i = open + 1; i < text.Length;)
        {
            if (text[i] == closing)
            {
                return i + 1;
            }

            var end = PartEnd(text, i, depth);
            if (end < 0)
            {
                return -1;
            }

            i = end;
        }

        return -1;
    }
}
