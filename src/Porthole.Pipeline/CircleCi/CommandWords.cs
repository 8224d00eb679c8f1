using System.Text;

namespace Porthole.Pipeline.CircleCi;

/// <summary>
/// Splits a docker image's <c>entrypoint</c> or <c>command</c> written as one string into the words Docker runs.
/// CircleCI documents both keys as "String or List" without saying how a string is split, and its compiler is
/// private (§A1.4), so this follows Docker Compose, whose keys these are: words are split as a POSIX shell splits
/// them (whitespace between words, quotes and backslashes group), and nothing is expanded: <c>$HOME</c> stays as
/// written, and no shell is put in front. <c>command: mongod --smallfiles</c> is <c>["mongod", "--smallfiles"]</c>.
/// </summary>
internal static class CommandWords
{
    /// <summary>The words, or null with <paramref name="error"/> saying what is wrong.</summary>
    public static IReadOnlyList<string>? Split(string text, out string? error)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }

                i++;
                continue;
            }

            inWord = true;
            switch (c)
            {
                case '\'':
                    var close = text.IndexOf('\'', i + 1);
                    if (close < 0)
                    {
                        error = "a ' quote is not closed";
                        return null;
                    }

                    word.Append(text, i + 1, close - i - 1);
                    i = close + 1;
                    break;
                case '"':
                    if (!ReadDoubleQuoted(text, ref i, word))
                    {
                        error = "a \" quote is not closed";
                        return null;
                    }

                    break;
                case '\\' when i + 1 < text.Length:
                    // A backslash before a line break joins the lines, as in the shell.
                    if (text[i + 1] != '\n')
                    {
                        word.Append(text[i + 1]);
                    }

                    i += 2;
                    break;
                default:
                    word.Append(c);
                    i++;
                    break;
            }
        }

        if (inWord)
        {
            words.Add(word.ToString());
        }

        error = null;
        return words;
    }

    private static bool ReadDoubleQuoted(string text, ref int i, StringBuilder word)
    {
        i++;
        while (i < text.Length && text[i] != '"')
        {
            if (text[i] == '\\' && i + 1 < text.Length && text[i + 1] is '$' or '`' or '"' or '\\' or '\n')
            {
                if (text[i + 1] != '\n')
                {
                    word.Append(text[i + 1]);
                }

                i += 2;
            }
            else
            {
                word.Append(text[i]);
                i++;
            }
        }

        if (i == text.Length)
        {
            return false;
        }

        i++;
        return true;
    }
}
