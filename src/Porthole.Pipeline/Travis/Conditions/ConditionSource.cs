using System.Text;

namespace Porthole.Pipeline.Travis.Conditions;

/// <summary>
/// The text a condition is parsed from. Travis first replaces every line continuation (a backslash, optional
/// whitespace, a line break) with one space (§B11); this keeps the way back to offsets in the user's text.
/// </summary>
internal sealed class ConditionSource
{
    private readonly int[] _offsets;

    private ConditionSource(string text, int[] offsets)
    {
        Text = text;
        _offsets = offsets;
    }

    public string Text { get; }

    public static ConditionSource From(string original)
    {
        var text = new StringBuilder(original.Length);
        var offsets = new List<int>(original.Length + 1);
        var i = 0;
        while (i < original.Length)
        {
            var end = original[i] == '\\' ? ContinuationEnd(original, i) : -1;
            offsets.Add(i);
            if (end > 0)
            {
                text.Append(' ');
                i = end;
            }
            else
            {
                text.Append(original[i]);
                i++;
            }
        }

        offsets.Add(original.Length);
        return new ConditionSource(text.ToString(), [.. offsets]);
    }

    /// <summary>The offset in the original text of the character at <paramref name="index"/> of <see cref="Text"/>.</summary>
    public int OriginalOffset(int index) => _offsets[Math.Clamp(index, 0, _offsets.Length - 1)];

    /// <summary>Ruby's <c>\\\s*[\n\r]</c>: the whitespace run after the backslash up to its last line break.</summary>
    private static int ContinuationEnd(string text, int backslash)
    {
        var end = -1;
        for (var j = backslash + 1; j < text.Length && ConditionChars.IsSpace(text[j]); j++)
        {
            if (text[j] is '\n' or '\r')
            {
                end = j + 1;
            }
        }

        return end;
    }
}
