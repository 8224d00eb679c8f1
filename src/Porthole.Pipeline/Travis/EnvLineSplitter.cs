using System.Text;

namespace Porthole.Pipeline.Travis;

/// <summary>
/// Splits a Travis env string such as <c>A=1 B="two words" C=$HOME D=$(date +%s)</c> into words the way
/// the shell does: whitespace separates words except inside quotes, <c>$(...)</c> and backticks.
/// Travis exports only the <c>NAME=value</c> words; a bare word (doctrine's <c>DB=sqlite COVERAGE</c>) is
/// dropped by Travis's own parser, so it is dropped here too.
/// </summary>
internal static class EnvLineSplitter
{
    /// <summary>The words, or null with <paramref name="error"/> saying what is wrong.</summary>
    public static IReadOnlyList<EnvWord>? Split(string line, out string? error)
    {
        var words = new List<EnvWord>();
        var i = 0;
        while (true)
        {
            while (i < line.Length && char.IsWhiteSpace(line[i]))
            {
                i++;
            }

            if (i == line.Length)
            {
                error = null;
                return words;
            }

            var start = i;
            var value = new StringBuilder();
            error = ReadWord(line, ref i, value);
            if (error is not null)
            {
                return null;
            }

            var raw = line[start..i];
            var equals = raw.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && EnvironmentNames.IsValid(raw[..equals]))
            {
                var text = value.ToString();
                words.Add(new EnvWord(raw[..equals], text[(text.IndexOf('=', StringComparison.Ordinal) + 1)..], raw));
            }
            else if (!EnvironmentNames.IsValid(raw))
            {
                error = $"'{raw}' is not NAME=value";
                return null;
            }
        }
    }

    private static string? ReadWord(string line, ref int i, StringBuilder value)
    {
        while (i < line.Length && !char.IsWhiteSpace(line[i]))
        {
            var c = line[i];
            var next = i + 1 < line.Length ? line[i + 1] : '\0';
            if (c == '\'')
            {
                var close = line.IndexOf('\'', i + 1);
                if (close < 0)
                {
                    return "a ' quote is not closed";
                }

                value.Append(line, i + 1, close - i - 1);
                i = close + 1;
            }
            else if (c == '"')
            {
                var problem = ReadDoubleQuoted(line, ref i, value);
                if (problem is not null)
                {
                    return problem;
                }
            }
            else if (c == '\\' && i + 1 < line.Length)
            {
                value.Append(next);
                i += 2;
            }
            else if ((c == '$' && next == '(') || c == '`')
            {
                if (AppendSubstitution(line, ref i, value) is { } unclosed)
                {
                    return unclosed;
                }
            }
            else
            {
                value.Append(c);
                i++;
            }
        }

        return null;
    }

    /// <summary>Copies a <c>$( … )</c> or <c>` … `</c> substitution whole, as the shell leaves it to run; the problem when it is not closed.</summary>
    private static string? AppendSubstitution(string line, ref int i, StringBuilder value)
    {
        var end = SubstitutionEnd(line, i);
        if (end < 0)
        {
            return line[i] == '`' ? "a ` is not closed" : "a $( is not closed";
        }

        value.Append(line, i, end - i);
        i = end;
        return null;
    }

    private static string? ReadDoubleQuoted(string line, ref int i, StringBuilder value)
    {
        i++;
        while (i < line.Length && line[i] != '"')
        {
            var c = line[i];
            var next = i + 1 < line.Length ? line[i + 1] : '\0';
            if (c == '\\' && next is '$' or '`' or '"' or '\\')
            {
                value.Append(next);
                i += 2;
            }
            else if ((c == '$' && next == '(') || c == '`')
            {
                if (AppendSubstitution(line, ref i, value) is { } unclosed)
                {
                    return unclosed;
                }
            }
            else
            {
                value.Append(c);
                i++;
            }
        }

        if (i == line.Length)
        {
            return "a \" quote is not closed";
        }

        i++;
        return null;
    }

    /// <summary>The index after the <c>)</c> or backtick that closes the substitution at <paramref name="start"/>; -1 if none.</summary>
    private static int SubstitutionEnd(string line, int start)
    {
        if (line[start] == '`')
        {
            var close = line.IndexOf('`', start + 1);
            return close < 0 ? -1 : close + 1;
        }

        var depth = 0;
        char? quote = null;
        for (var i = start + 1; i < line.Length; i++)
        {
            var c = line[i];
            if (quote is not null)
            {
                if (c == quote)
                {
                    quote = null;
                }
                else if (c == '\\' && quote == '"')
                {
                    i++;
                }
            }
            else if (c is '\'' or '"')
            {
                quote = c;
            }
            else if (c == '\\')
            {
                i++;
            }
            else if (c == '(')
            {
                depth++;
            }
            else if (c == ')' && --depth == 0)
            {
                return i + 1;
            }
        }

        return -1;
    }
}
