using System.Text;

namespace Porthole.Execution.Steps;

/// <summary>
/// Splits a step's <c>shell</c> (<c>/bin/bash -eo pipefail</c>) into argv the way a shell would split a simple
/// command line: whitespace separates words, single and double quotes and backslashes group them. Nothing is expanded.
/// </summary>
public static class ShellCommandLine
{
    public const string Default = "/bin/bash -eo pipefail";

    public static List<string> Split(string? commandLine)
    {
        if (string.IsNullOrWhiteSpace(commandLine))
        {
            commandLine = Default;
        }

        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        char? quote = null;
        for (var i = 0; i < commandLine.Length; i++)
        {
            var c = commandLine[i];
            if (quote is { } open)
            {
                if (c == open)
                {
                    quote = null;
                }
                else if (c == '\\' && open == '"' && i + 1 < commandLine.Length && commandLine[i + 1] is '"' or '\\' or '$' or '`')
                {
                    word.Append(commandLine[++i]);
                }
                else
                {
                    word.Append(c);
                }
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }
            }
            else
            {
                inWord = true;
                if (c is '\'' or '"')
                {
                    quote = c;
                }
                else if (c == '\\' && i + 1 < commandLine.Length)
                {
                    word.Append(commandLine[++i]);
                }
                else
                {
                    word.Append(c);
                }
            }
        }

        if (inWord)
        {
            words.Add(word.ToString());
        }

        return words;
    }
}
