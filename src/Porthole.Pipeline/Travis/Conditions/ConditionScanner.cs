namespace Porthole.Pipeline.Travis.Conditions;

/// <summary>
/// The parser's position in a condition: whitespace, keywords and symbols at the position, the nesting depth, and
/// errors that point at the position (as an offset in the user's original text).
/// </summary>
internal sealed class ConditionScanner(ConditionSource source)
{
    public const int MaxDepth = 100;

    private int _depth;

    public string Text { get; } = source.Text;

    public int Position { get; set; }

    public bool AtEnd => Position >= Text.Length;

    /// <summary>The character at the position, or NUL at the end.</summary>
    public char Peek() => AtEnd ? '\0' : Text[Position];

    public void SkipSpace()
    {
        while (!AtEnd && ConditionChars.IsSpace(Text[Position]))
        {
            Position++;
        }
    }

    /// <summary>
    /// Consumes an alphabetic keyword (case-insensitive) after whitespace. It must end at a word boundary, so
    /// <c>android</c> is a word, not <c>AND</c> followed by <c>roid</c> as in TC.
    /// </summary>
    public bool Keyword(string keyword)
    {
        SkipSpace();
        var end = Position + keyword.Length;
        if (string.Compare(Text, Position, keyword, 0, keyword.Length, StringComparison.OrdinalIgnoreCase) != 0
            || (end < Text.Length && ConditionChars.IsWord(Text[end])))
        {
            return false;
        }

        Position = end;
        return true;
    }

    /// <summary>The first of <paramref name="symbols"/> found after whitespace, consumed; or null.</summary>
    public string? Symbol(params ReadOnlySpan<string> symbols)
    {
        SkipSpace();
        foreach (var symbol in symbols)
        {
            if (string.CompareOrdinal(Text, Position, symbol, 0, symbol.Length) == 0)
            {
                Position += symbol.Length;
                return symbol;
            }
        }

        return null;
    }

    /// <summary>One level deeper (a parenthesis, NOT, a call); past <see cref="MaxDepth"/> an error at <paramref name="at"/>.</summary>
    public void Enter(int at)
    {
        if (++_depth > MaxDepth)
        {
            Position = at;
            throw Error($"the condition nests deeper than {MaxDepth} levels");
        }
    }

    public void Leave() => _depth--;

    public int OriginalOffset(int position) => source.OriginalOffset(position);

    public ConditionSyntaxException Error(string message) => new(message, source.OriginalOffset(Position));

    /// <summary>What is at the position, quoted and shortened, for messages.</summary>
    public string Snippet()
    {
        if (AtEnd)
        {
            return "the end";
        }

        var length = Math.Min(Text.Length - Position, 24);
        var snippet = Text.AsSpan(Position, length).ToString().ReplaceLineEndings(" ");
        return $"'{snippet}{(Position + length < Text.Length ? "…" : "")}'";
    }
}

/// <summary>A parse error at an offset of the original text.</summary>
internal sealed class ConditionSyntaxException(string message, int offset) : Exception(message)
{
    public int Offset { get; } = offset;
}
