namespace Porthole.Pipeline.Travis.Conditions;

/// <summary>
/// Reads the regex after <c>=~</c> the way TC <c>regex.rb</c> does: an <c>env(…)</c>/<c>concat(…)</c> call,
/// <c>/…/</c> (a backslash escapes the next character, so <c>\/</c> does not end it), or a bare word: the run of
/// non-whitespace without its trailing <c>)</c>s, quotes included, with one trailing <c>/</c> dropped.
/// </summary>
internal static class ConditionPatternReader
{
    public static ConditionPattern Read(ConditionScanner scan, Func<CallNode?> call)
    {
        scan.SkipSpace();
        if (call() is { } computed)
        {
            return new ConditionPattern(computed);
        }

        return new ConditionPattern(new LiteralNode(scan.Peek() == '/' ? Delimited(scan) : Bare(scan)));
    }

    private static string Delimited(ConditionScanner scan)
    {
        var text = scan.Text;
        var start = scan.Position;
        var i = start + 1;
        while (i < text.Length && text[i] != '/')
        {
            i += text[i] == '\\' ? 2 : 1;
        }

        if (i >= text.Length)
        {
            throw scan.Error("the regular expression started with / is not closed");
        }

        scan.Position = i + 1;
        return text[(start + 1)..i];
    }

    private static string Bare(ConditionScanner scan)
    {
        var text = scan.Text;
        var start = scan.Position;
        var end = start;
        while (end < text.Length && !ConditionChars.IsSpace(text[end]))
        {
            end++;
        }

        while (end > start && text[end - 1] == ')')
        {
            end--;
        }

        if (end == start)
        {
            throw scan.Error("expected a regular expression: /…/, a word or env(…)");
        }

        scan.Position = end;
        var word = text[start..end];
        return word.Length > 1 && word[^1] == '/' ? word[..^1] : word;
    }
}
