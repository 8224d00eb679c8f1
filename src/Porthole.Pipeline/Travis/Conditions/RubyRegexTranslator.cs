using System.Text;

namespace Porthole.Pipeline.Travis.Conditions;

/// <summary>
/// Rewrites Ruby regex syntax into .NET syntax with the same meaning, or says which construct has no
/// equivalent. Constructs both engines read alike are copied; .NET then rejects what is simply invalid.
/// </summary>
internal static class RubyRegexTranslator
{
    private const string Digit = "0-9";
    private const string WordChars = "a-zA-Z0-9_";
    private const string Space = @"\t\n\v\f\r ";
    private const string Hex = "0-9a-fA-F";

    /// <summary>The .NET pattern, or null and a problem naming the construct.</summary>
    public static string? Translate(string ruby, out string? problem)
    {
        var output = new StringBuilder(ruby.Length + 16);
        var i = 0;
        problem = null;
        while (i < ruby.Length && problem is null)
        {
            var c = ruby[i];
            problem = c switch
            {
                '\\' => Escape(ruby, ref i, output, inClass: false),
                '[' => CharacterClass(ruby, ref i, output),
                '(' => Group(ruby, ref i, output),
                '{' => Interval(ruby, ref i, output),
                '*' or '+' or '?' => Quantifier(ruby, ref i, output),
                _ => Copy(c, ref i, output),
            };
        }

        return problem is null ? output.ToString() : null;
    }

    private static string? Copy(char c, ref int i, StringBuilder output)
    {
        output.Append(c);
        i++;
        return null;
    }

    private static string? Quantifier(string ruby, ref int i, StringBuilder output)
    {
        output.Append(ruby[i]);
        i++;
        if (i < ruby.Length && ruby[i] == '+')
        {
            return "possessive quantifiers (*+, ++, ?+) are not supported";
        }

        if (i < ruby.Length && ruby[i] == '?')
        {
            output.Append('?');
            i++;
        }

        return null;
    }

    /// <summary><c>{,n}</c> is <c>{0,n}</c> in Ruby and a literal in .NET; <c>{n}?</c> means "optional" in Ruby.</summary>
    private static string? Interval(string ruby, ref int i, StringBuilder output)
    {
        var close = ruby.IndexOf('}', i, Math.Min(ruby.Length - i, 24));
        var body = close < 0 ? null : ruby[(i + 1)..close];
        if (body is null || !IsInterval(body))
        {
            return Copy('{', ref i, output);
        }

        output.Append('{').Append(body.StartsWith(',') ? "0" + body : body).Append('}');
        i = close + 1;
        if (i < ruby.Length && ruby[i] == '+')
        {
            return "a quantifier on a {n,m} interval is not supported";
        }

        if (i < ruby.Length && ruby[i] == '?' && !body.Contains(','))
        {
            return "{n}? (an optional exact repeat in Ruby) is not supported";
        }

        if (i < ruby.Length && ruby[i] == '?')
        {
            output.Append('?');
            i++;
        }

        return null;
    }

    private static bool IsInterval(string body)
    {
        var comma = body.IndexOf(',');
        var low = comma < 0 ? body : body[..comma];
        var high = comma < 0 ? "" : body[(comma + 1)..];
        return (low.Length > 0 || high.Length > 0) && low.All(char.IsAsciiDigit) && high.All(char.IsAsciiDigit)
            && (comma < 0 ? low.Length > 0 : !high.Contains(','));
    }

    private static string? Group(string ruby, ref int i, StringBuilder output)
    {
        if (i + 1 >= ruby.Length || ruby[i + 1] != '?')
        {
            return Copy('(', ref i, output);
        }

        var rest = ruby.AsSpan(i + 2);
        if (rest.StartsWith("#"))
        {
            var close = ruby.IndexOf(')', i);
            i = close < 0 ? ruby.Length : close + 1;
            return close < 0 ? "a (?# comment is not closed" : null;
        }

        if (rest.StartsWith(":") || rest.StartsWith("=") || rest.StartsWith("!") || rest.StartsWith(">")
            || rest.StartsWith("<=") || rest.StartsWith("<!") || rest.StartsWith("<") || rest.StartsWith("'"))
        {
            output.Append("(?");
            i += 2;
            return null;
        }

        if (rest.StartsWith("~"))
        {
            return "the absence operator (?~…) is not supported";
        }

        if (rest.StartsWith("("))
        {
            return "conditional groups (?(…)…) are not supported";
        }

        return Options(ruby, ref i, output);
    }

    /// <summary><c>(?imx-imx)</c> and <c>(?imx-imx:…)</c>; Ruby's <c>m</c> is .NET's <c>s</c>.</summary>
    private static string? Options(string ruby, ref int i, StringBuilder output)
    {
        var j = i + 2;
        var flags = new StringBuilder();
        while (j < ruby.Length && ruby[j] is 'i' or 'm' or 'x' or '-')
        {
            flags.Append(ruby[j] == 'm' ? 's' : ruby[j]);
            j++;
        }

        if (j >= ruby.Length || ruby[j] is not (')' or ':') || flags.Length == 0)
        {
            return "unknown group option (Ruby knows (?imx-imx) and (?imx-imx:…))";
        }

        output.Append("(?").Append(flags).Append(ruby[j]);
        i = j + 1;
        return null;
    }

    private static string? CharacterClass(string ruby, ref int i, StringBuilder output)
    {
        output.Append('[');
        i++;
        if (i < ruby.Length && ruby[i] == '^')
        {
            output.Append('^');
            i++;
        }

        if (i < ruby.Length && ruby[i] == ']')
        {
            output.Append(@"\]");
            i++;
        }

        while (i < ruby.Length)
        {
            var c = ruby[i];
            if (c == ']')
            {
                output.Append(']');
                i++;
                return null;
            }

            var problem = c switch
            {
                '\\' => Escape(ruby, ref i, output, inClass: true),
                '[' => PosixBracket(ruby, ref i, output),
                '&' when i + 1 < ruby.Length && ruby[i + 1] == '&' => "character class intersection (&&) is not supported",
                _ => Copy(c, ref i, output),
            };
            if (problem is not null)
            {
                return problem;
            }
        }

        return "a [ character class is not closed";
    }

    private static string? PosixBracket(string ruby, ref int i, StringBuilder output)
    {
        var close = ruby.IndexOf(":]", i, Math.Min(ruby.Length - i, 16), StringComparison.Ordinal);
        if (i + 1 >= ruby.Length || ruby[i + 1] != ':' || close < 0)
        {
            return "nested character classes are not supported";
        }

        var name = ruby[(i + 2)..close];
        var members = name switch
        {
            "alpha" => @"\p{L}\p{M}",
            "digit" => Digit,
            "alnum" => @"\p{L}\p{M}\p{Nd}",
            "upper" => @"\p{Lu}",
            "lower" => @"\p{Ll}",
            "space" => @"\s",
            "blank" => @" \t",
            "punct" => @"\p{P}\p{S}",
            "xdigit" => Hex,
            "word" => @"\w",
            "cntrl" => @"\p{Cc}",
            _ => null,
        };
        if (members is null)
        {
            return $"the POSIX bracket [:{name}:] is not supported";
        }

        output.Append(members);
        i = close + 2;
        return null;
    }

    private static string? Escape(string ruby, ref int i, StringBuilder output, bool inClass)
    {
        if (i + 1 >= ruby.Length)
        {
            return "the pattern ends with a lone backslash";
        }

        var c = ruby[i + 1];
        i += 2;
        var replacement = inClass ? ClassEscape(c) : Escape(c);
        if (replacement is not null)
        {
            output.Append(replacement);
            return null;
        }

        switch (c)
        {
            case 'K' or 'X' or 'g' or 'O' or 'N' or 'C' or 'M':
                return $@"\{c} is not supported";
            case 'H' or 'R':
                return $@"\{c} inside [] is not supported";
            case 'u' when i < ruby.Length && ruby[i] == '{':
                return @"\u{…} is not supported (write \uHHHH)";
            case 'x':
                return HexEscape(ruby, ref i, output);
            case 'p' or 'P' when i < ruby.Length && ruby[i] == '{':
                var negated = i + 1 < ruby.Length && ruby[i + 1] == '^';
                output.Append('\\').Append(negated == (c == 'p') ? 'P' : 'p').Append('{');
                i += negated ? 2 : 1;
                return null;
            case 'p' or 'P':
                return $@"\{c} needs a property name in braces";
            case 't' or 'n' or 'r' or 'f' or 'v' or 'a' or 'e' or 'u' or 'c' or 'k' or 'A' or 'z' or 'Z' or 'b' or 'B' or 'G':
            case >= '0' and <= '9':
                output.Append('\\').Append(c);
                return null;
            case '_' or (>= 'a' and <= 'z') or (>= 'A' and <= 'Z'):
                // Ruby reads an unknown escape of a letter (or \_) as the character itself; .NET refuses it.
                output.Append(c);
                return null;
            default:
                if (char.IsLetterOrDigit(c))
                {
                    output.Append(c);
                }
                else
                {
                    output.Append('\\').Append(c);
                }

                return null;
        }
    }

    /// <summary>Ruby's <c>\xH</c> and <c>\xHH</c>; .NET wants exactly two digits.</summary>
    private static string? HexEscape(string ruby, ref int i, StringBuilder output)
    {
        var digits = 0;
        while (digits < 2 && i + digits < ruby.Length && char.IsAsciiHexDigit(ruby[i + digits]))
        {
            digits++;
        }

        if (digits == 0)
        {
            return @"\x needs hex digits";
        }

        output.Append(@"\x").Append(digits == 1 ? "0" : "").Append(ruby, i, digits);
        i += digits;
        return null;
    }

    /// <summary>Ruby's ASCII shorthand classes outside brackets.</summary>
    private static string? Escape(char c) => c switch
    {
        'd' => $"[{Digit}]",
        'D' => $"[^{Digit}]",
        'w' => $"[{WordChars}]",
        'W' => $"[^{WordChars}]",
        's' => $"[{Space}]",
        'S' => $"[^{Space}]",
        'h' => $"[{Hex}]",
        'H' => $"[^{Hex}]",
        'R' => @"(?:\r\n|[\n\v\f\r\u0085\u2028\u2029])",
        _ => null,
    };

    /// <summary>The same inside brackets, where a negated shorthand has to stay .NET's (Unicode) one.</summary>
    private static string? ClassEscape(char c) => c switch
    {
        'd' => Digit,
        'w' => WordChars,
        's' => Space,
        'h' => Hex,
        'D' => @"\D",
        'W' => @"\W",
        'S' => @"\S",
        _ => null,
    };
}
