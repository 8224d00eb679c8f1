using System.Text;
using System.Text.RegularExpressions;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.CircleCi.Compiler;

/// <summary>
/// The templates in one scalar's text (§A1.2): references <c>&lt;&lt; parameters.x &gt;&gt;</c>, mustache sections
/// <c>&lt;&lt;# x &gt;&gt;…&lt;&lt;/ x &gt;&gt;</c> and <c>&lt;&lt;^ x &gt;&gt;…&lt;&lt;/ x &gt;&gt;</c>, the escape
/// <c>\&lt;&lt;</c>. Only <c>&lt;&lt;</c> followed by <c>parameters.</c>, <c>pipeline.</c> or <c>matrix.</c> is template
/// syntax; any other <c>&lt;&lt;</c> (a heredoc) stays as written with a warning, where CircleCI would refuse it.
/// </summary>
internal sealed partial class TemplateText(ScalarNode scalar, TemplateScope scope, CallSite? via, ErrorList errors)
{
    private readonly string _text = scalar.Value;

    /// <summary>An error was reported; what was rendered still holds the failed parts as written.</summary>
    public bool Failed { get; private set; }

    /// <summary>Where the first <c>&lt;&lt;</c> that starts template syntax is in <paramref name="text"/> (a key may hold none); -1 when none does.</summary>
    public static int TemplateStart(string text) => text.Contains("<<", StringComparison.Ordinal) && AnyStart().Match(text) is { Success: true } match
        ? match.Index
        : -1;

    /// <summary>The name (<c>parameters.x</c>) when the whole text, white space aside, is one plain reference; else null.</summary>
    public static string? WholeReference(string text)
    {
        var match = WholeSyntax().Match(text);
        return match.Success ? match.Groups["name"].Value : null;
    }

    /// <summary>The text with its templates resolved; null when nothing in it changes (no template, no escape).</summary>
    public string? Interpolate()
    {
        if (Parse() is not { } parts)
        {
            return null;
        }

        var rendered = new StringBuilder(_text.Length);
        Render(parts, rendered, emit: true);
        return rendered.ToString();
    }

    /// <summary>Reports an error at the character <paramref name="index"/> of the text (its scalar's start when the text is not verbatim).</summary>
    public void Error(int index, string message)
    {
        Failed = true;
        errors.Add(scalar.PositionOf(index), message + (via ?? scalar.Via)?.Describe(errors.File));
    }

    /// <summary>The parts of the text; null when it has no template and no escape, or (reported) broken syntax.</summary>
    private List<Part>? Parse()
    {
        var root = new List<Part>();
        var current = root;
        var open = new Stack<Section>();
        var literal = new StringBuilder();
        var changed = false;
        var warned = false;
        var at = 0;
        while (true)
        {
            var start = _text.IndexOf("<<", at, StringComparison.Ordinal);
            if (start < 0)
            {
                literal.Append(_text, at, _text.Length - at);
                break;
            }

            if (start > 0 && _text[start - 1] == '\\')
            {
                literal.Append(_text, at, start - 1 - at).Append("<<");
                at = start + 2;
                changed = true;
                continue;
            }

            literal.Append(_text, at, start - at);
            if (!StartHere().Match(_text, start).Success)
            {
                literal.Append("<<");
                at = start + 2;
                if (!warned)
                {
                    // Once per place in the file, however many times the command holding it is invoked.
                    warned = true;
                    errors.Warn(scalar.PositionOf(start), @"a literal << in a 2.1 config: CircleCI refuses an unclosed << tag; write \<< to keep it as text");
                }

                continue;
            }

            var tag = TagSyntax().Match(_text, start);
            if (!tag.Success)
            {
                Malformed(start);
                return null;
            }

            Flush(literal, current);
            var name = tag.Groups["name"].Value;
            var end = start + tag.Length;
            switch (tag.Groups["op"].Value)
            {
                case "":
                    current.Add(new Reference(name, start, end));
                    break;
                case "/":
                    if (!open.TryPop(out var closed))
                    {
                        Error(start, $"<</ {name} >> closes no section: a section opens with <<# {name} >> or <<^ {name} >>");
                        return null;
                    }

                    if (closed.Name != name)
                    {
                        Error(start, $"<</ {name} >> does not close the section <<{(closed.Inverted ? '^' : '#')} {closed.Name} >> opened before it");
                        return null;
                    }

                    closed.End = end;
                    current = open.TryPeek(out var outer) ? outer.Body : root;
                    break;
                default:
                    var section = new Section(name, tag.Groups["op"].Value == "^", start);
                    current.Add(section);
                    open.Push(section);
                    current = section.Body;
                    break;
            }

            at = end;
            changed = true;
        }

        if (open.TryPeek(out var unclosed))
        {
            Error(unclosed.Start, $"the section <<{(unclosed.Inverted ? '^' : '#')} {unclosed.Name} >> is never closed: end it with <</ {unclosed.Name} >>");
            return null;
        }

        Flush(literal, current);
        return changed ? root : null;
    }

    /// <summary>A <c>&lt;&lt;</c> that starts template syntax but is not a reference or a section tag.</summary>
    private void Malformed(int start)
    {
        var close = _text.IndexOf(">>", start + 2, StringComparison.Ordinal);
        if (close < 0)
        {
            Error(start, @"unclosed << tag: a template ends with >> (write \<< for a literal <<)");
            return;
        }

        Failed = true;
        var written = ParameterTyping.Quote(_text[start..(close + 2)]);
        var carrier = NodeFactory.Scalar(scalar.PositionOf(start), "", plain: false, via ?? scalar.Via);
        errors.Refuse(carrier, "CircleCI expressions", $"{written} is not a parameter reference; CircleCI expressions (==, and, or, matches…) are not supported");
    }

    private void Render(List<Part> parts, StringBuilder into, bool emit)
    {
        foreach (var part in parts)
        {
            switch (part)
            {
                case Literal literal:
                    if (emit)
                    {
                        into.Append(literal.Text);
                    }

                    break;
                case Reference reference:
                    RenderReference(reference, into, emit);
                    break;
                case Section section:
                    var value = Resolve(section.Name, section.Start);
                    if (value is null)
                    {
                        if (emit)
                        {
                            into.Append(_text, section.Start, section.End - section.Start);
                        }

                        break;
                    }

                    Render(section.Body, into, emit && Truthiness.IsTruthy(value) != section.Inverted);
                    break;
            }
        }
    }

    private void RenderReference(Reference reference, StringBuilder into, bool emit)
    {
        var value = Resolve(reference.Name, reference.Start);
        if (!emit)
        {
            return;
        }

        if (value is ScalarNode text)
        {
            into.Append(text.IsNull ? "" : text.Value);
            return;
        }

        if (value is not null)
        {
            Error(reference.Start, $"{reference.Name} is {value.Describe()}; it can only be used as a whole value, not inside a string");
        }

        into.Append(_text, reference.Start, reference.End - reference.Start);
    }

    public Node? Resolve(string name, int index)
    {
        var value = TemplateReference.Resolve(name, scope, out var problem);
        if (problem is not null)
        {
            Error(index, problem);
        }

        return value;
    }

    private static void Flush(StringBuilder literal, List<Part> into)
    {
        if (literal.Length > 0)
        {
            into.Add(new Literal(literal.ToString()));
            literal.Clear();
        }
    }

    [GeneratedRegex(@"<<[#^/]?\s*(?:parameters|pipeline|matrix)\.")]
    private static partial Regex AnyStart();

    [GeneratedRegex(@"\G<<[#^/]?\s*(?:parameters|pipeline|matrix)\.")]
    private static partial Regex StartHere();

    [GeneratedRegex(@"\G<<(?<op>[#^/]?)\s*(?<name>(?:parameters|pipeline|matrix)\.[A-Za-z0-9_.-]+)\s*>>")]
    private static partial Regex TagSyntax();

    [GeneratedRegex(@"^\s*<<\s*(?<name>(?:parameters|pipeline|matrix)\.[A-Za-z0-9_.-]+)\s*>>\s*$")]
    private static partial Regex WholeSyntax();

    private abstract class Part;

    private sealed class Literal(string text) : Part
    {
        public string Text { get; } = text;
    }

    private sealed class Reference(string name, int start, int end) : Part
    {
        public string Name { get; } = name;

        public int Start { get; } = start;

        public int End { get; } = end;
    }

    private sealed class Section(string name, bool inverted, int start) : Part
    {
        public string Name { get; } = name;

        public bool Inverted { get; } = inverted;

        public int Start { get; } = start;

        /// <summary>Just after the closing tag; set when it is read.</summary>
        public int End { get; set; }

        public List<Part> Body { get; } = [];
    }
}
