using System.Text;

namespace Porthole.Pipeline.Yaml;

/// <summary>
/// YamlDotNet refuses a multi-line double-quoted scalar whose continuation lines are not indented past the
/// enclosing block; libyaml (Travis) and SnakeYAML (CircleCI) accept it, and real configs rely on that
/// (jekyll's <c>secure: "\</c> ... closing <c>"</c> at the key's own indentation). Leading blanks of a
/// continuation line are never part of a quoted scalar's value, so indenting those lines further changes
/// nothing but the parser's verdict.
/// </summary>
internal static class QuotedScalarRepair
{
    public const string Message = "While scanning a multi-line double-quoted scalar, found wrong indentation.";

    /// <summary>
    /// <paramref name="text"/> with every continuation line of the double-quoted scalar that starts at
    /// <paramref name="start"/> indented to at least the opening quote's column; false if there is none.
    /// </summary>
    public static bool TryIndent(string text, Position start, out string repaired)
    {
        repaired = text;
        var quote = IndexOf(text, start);
        if (quote < 0 || text[quote] != '"')
        {
            return false;
        }

        var column = start.Column - 1;
        var result = new StringBuilder(text.Length + 64);
        result.Append(text, 0, quote + 1);
        var i = quote + 1;
        var changed = false;
        while (i < text.Length && text[i] != '"')
        {
            if (text[i] == '\\' && i + 1 < text.Length && !IsBreak(text[i + 1]))
            {
                result.Append(text, i, 2);
                i += 2;
                continue;
            }

            if (text[i] == '\\')
            {
                result.Append(text[i]);
                i++;
                continue;
            }

            if (!IsBreak(text[i]))
            {
                result.Append(text[i]);
                i++;
                continue;
            }

            var breakLength = text[i] == '\r' && i + 1 < text.Length && text[i + 1] == '\n' ? 2 : 1;
            result.Append(text, i, breakLength);
            i += breakLength;
            var blanks = 0;
            while (i + blanks < text.Length && text[i + blanks] is ' ' or '\t')
            {
                blanks++;
            }

            var lineIsEmpty = i + blanks == text.Length || IsBreak(text[i + blanks]);
            if (!lineIsEmpty && blanks < column)
            {
                result.Append(' ', column - blanks);
                changed = true;
            }
        }

        if (!changed || i == text.Length)
        {
            return false;
        }

        result.Append(text, i, text.Length - i);
        repaired = result.ToString();
        return true;
    }

    /// <summary>The index of a 1-based line and column, counting line breaks as YAML does.</summary>
    private static int IndexOf(string text, Position position)
    {
        var line = 1;
        var i = 0;
        while (line < position.Line && i < text.Length)
        {
            if (IsBreak(text[i]))
            {
                i += text[i] == '\r' && i + 1 < text.Length && text[i + 1] == '\n' ? 2 : 1;
                line++;
            }
            else
            {
                i++;
            }
        }

        var index = i + position.Column - 1;
        return line == position.Line && index < text.Length ? index : -1;
    }

    private static bool IsBreak(char c) => c is '\n' or '\r' or '\u0085' or '\u2028' or '\u2029';
}
