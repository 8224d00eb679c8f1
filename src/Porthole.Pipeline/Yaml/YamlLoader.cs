using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Porthole.Pipeline.Yaml;

/// <summary>
/// Reads YAML text into <see cref="Node"/>s from YamlDotNet's event stream rather than its representation
/// model, because real configs need what the model refuses or crashes on: duplicate keys (last wins), an
/// anchor defined twice (later aliases see the later one), merge keys, and hostile input (deep nesting
/// would overflow the model's recursive loader; an alias bomb would expand without bound). Each node's
/// expanded size and depth are known when it completes, so both limits are checked without ever expanding.
/// The first problem stops loading: after a YAML error nothing later can be trusted.
/// </summary>
internal sealed class YamlLoader
{
    /// <summary>Each repair re-parses the text; real configs need one or two.</summary>
    private const int MaxRepairs = 20;

    private readonly ErrorList _errors;
    private readonly Stack<LoaderFrame> _frames = new();
    private readonly Dictionary<string, Node> _anchors = new(StringComparer.Ordinal);
    private Node? _root;
    private int _documents;
    private Position _lastEnd = Position.Start;

    private readonly string? _file;

    private YamlLoader(ErrorList errors, string? file)
    {
        _errors = errors;
        _file = file;
    }

    /// <summary>
    /// The root node; null when the text holds no document or an error was added to <paramref name="errors"/>.
    /// <paramref name="file"/> names another file than the config (a registry orb's source) in every node's position.
    /// </summary>
    public static Node? Load(string text, ErrorList errors, string? file = null)
    {
        // A byte order mark would otherwise become part of the first key.
        text = text.StartsWith('\uFEFF') ? text[1..] : text;
        for (var repairs = 0; ; repairs++)
        {
            var loader = new YamlLoader(errors, file);
            if (loader.Run(text, repairs < MaxRepairs, out var repaired))
            {
                return loader._root;
            }

            if (repaired is null)
            {
                return null;
            }

            text = repaired;
        }
    }

    /// <summary>False on an error; then <paramref name="repaired"/> is the text to try again, or null when the error was added.</summary>
    private bool Run(string text, bool mayRepair, out string? repaired)
    {
        repaired = null;
        var parser = new Parser(new StringReader(text));
        try
        {
            while (parser.MoveNext())
            {
                var current = parser.Current!;
                if (!Accept(current))
                {
                    return false;
                }

                _lastEnd = At(current.End);
            }

            return true;
        }
        catch (YamlException exception)
        {
            if (mayRepair
                && exception.Message.EndsWith(QuotedScalarRepair.Message, StringComparison.Ordinal)
                && QuotedScalarRepair.TryIndent(text, At(exception.Start), out var indented))
            {
                repaired = indented;
                return false;
            }

            _errors.Add(At(exception.Start), $"malformed YAML: {Describe(exception)}");
            return false;
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet 16's scanner throws this (not a YamlException) on some unclosed flow collections,
            // e.g. "a: [1, 2" followed by another key.
            var open = _frames.FirstOrDefault(frame => frame.IsFlow);
            _errors.Add(
                open?.Start ?? _lastEnd,
                open is null ? "malformed YAML after this point" : $"malformed YAML: this {(open.IsMap ? "{" : "[")} is not closed");
            return false;
        }
    }

    private bool Accept(ParsingEvent current)
    {
        var start = At(current.Start);
        switch (current)
        {
            case DocumentStart when ++_documents > 1:
                _errors.Add(start, "the config must hold one YAML document; a second one starts here");
                return false;
            case Scalar scalar:
                var plain = scalar.Style == ScalarStyle.Plain;
                var verbatim = plain && scalar.Anchor.IsEmpty && scalar.Tag.IsEmpty && current.Start.Line == current.End.Line;
                var node = new ScalarNode(start, scalar.Value, plain, TagOf(scalar.Tag), verbatim);
                return Complete(node, scalar.Anchor.IsEmpty ? null : scalar.Anchor.Value);
            case AnchorAlias alias:
                if (!_anchors.TryGetValue(alias.Value.Value, out var target))
                {
                    _errors.Add(start, $"the alias *{alias.Value.Value} has no anchor &{alias.Value.Value} before it");
                    return false;
                }

                return Complete(target.At(start), null);
            case SequenceStart sequence:
                return Open(new LoaderFrame(start, AnchorOf(sequence.Anchor), false, sequence.Style == SequenceStyle.Flow));
            case MappingStart mapping:
                return Open(new LoaderFrame(start, AnchorOf(mapping.Anchor), true, mapping.Style == MappingStyle.Flow));
            case SequenceEnd:
                var list = _frames.Pop();
                return Complete(list.ToList(), list.Anchor);
            case MappingEnd:
                var frame = _frames.Pop();
                var map = MapMerger.Build(frame, _errors);
                return map is not null && Complete(map, frame.Anchor);
            default:
                return true;
        }
    }

    private bool Open(LoaderFrame frame)
    {
        if (_frames.Count >= ConfigLimits.MaxDepth)
        {
            _errors.Add(frame.Start, $"the config nests deeper than {ConfigLimits.MaxDepth} levels");
            return false;
        }

        _frames.Push(frame);
        return true;
    }

    private bool Complete(Node node, string? anchor)
    {
        if (node.ExpandedSize > ConfigLimits.MaxNodes)
        {
            _errors.Add(node, $"the config expands to more than {ConfigLimits.MaxNodes} nodes (alias bomb?)");
            return false;
        }

        if (node.Depth > ConfigLimits.MaxDepth)
        {
            _errors.Add(node, $"the config nests deeper than {ConfigLimits.MaxDepth} levels once its aliases are expanded");
            return false;
        }

        if (anchor is not null)
        {
            // A later anchor of the same name replaces the earlier one for the aliases after it.
            _anchors[anchor] = node;
        }

        if (_frames.Count == 0)
        {
            _root = node;
        }
        else
        {
            _frames.Peek().Children.Add(node);
        }

        return true;
    }

    private Position At(Mark mark) => new((int)Math.Min(mark.Line, int.MaxValue), (int)Math.Min(mark.Column, int.MaxValue)) { File = _file };

    private static string? AnchorOf(AnchorName anchor) => anchor.IsEmpty ? null : anchor.Value;

    private static string? TagOf(TagName tag) => tag.IsEmpty || tag.IsNonSpecific ? null : tag.Value;

    private static string Describe(YamlException exception)
    {
        // YamlDotNet prefixes its messages with "(Line: 1, Col: 5, Idx: 4) - (Line: ...): "; the position is ours to give.
        var message = exception.Message;
        var cut = message.LastIndexOf("): ", StringComparison.Ordinal);
        var text = cut >= 0 && message.StartsWith("(Line", StringComparison.Ordinal) ? message[(cut + 3)..] : message;
        return text.TrimEnd('.');
    }
}
