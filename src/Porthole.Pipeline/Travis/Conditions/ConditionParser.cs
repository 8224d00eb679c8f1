namespace Porthole.Pipeline.Travis.Conditions;

/// <summary>
/// A recursive-descent parser for the v1 <c>if:</c> language (§B11; TC <c>parser.rb</c>, <c>boolean.rb</c>):
/// <c>expr = and {OR and}</c>, <c>and = oprd {AND oprd}</c>, <c>oprd = "(" expr ")" | NOT oprd | term</c>.
/// Keywords, predicates and function names are case-insensitive; variable names are lowercase only.
/// </summary>
internal sealed class ConditionParser
{
    public const int MaxLength = 10 * 1024;
    public const int MaxDepth = ConditionScanner.MaxDepth;

    private readonly ConditionScanner _scan;

    private ConditionParser(ConditionSource source) => _scan = new ConditionScanner(source);

    /// <summary>The tree; throws <see cref="ConditionSyntaxException"/> with an offset into the original text.</summary>
    public static ConditionNode Parse(ConditionSource source)
    {
        var parser = new ConditionParser(source);
        var node = parser.Expression();
        parser._scan.SkipSpace();
        if (!parser._scan.AtEnd)
        {
            throw parser._scan.Error($"unexpected {parser._scan.Snippet()}");
        }

        return node;
    }

    private ConditionNode Expression()
    {
        var parts = new List<ConditionNode> { Conjunction() };
        while (_scan.Keyword("or") || _scan.Symbol("||") is not null)
        {
            parts.Add(Conjunction());
        }

        return parts.Count == 1 ? parts[0] : new OrNode(parts);
    }

    private ConditionNode Conjunction()
    {
        var parts = new List<ConditionNode> { BooleanOperand() };
        while (_scan.Keyword("and") || _scan.Symbol("&&") is not null)
        {
            parts.Add(BooleanOperand());
        }

        return parts.Count == 1 ? parts[0] : new AndNode(parts);
    }

    private ConditionNode BooleanOperand()
    {
        _scan.SkipSpace();
        var start = _scan.Position;
        if (_scan.Peek() == '(')
        {
            _scan.Enter(start);
            _scan.Position++;
            var inner = Expression();
            Close(start);
            _scan.Leave();
            return inner;
        }

        if (_scan.Keyword("not") || _scan.Symbol("!") is not null)
        {
            _scan.Enter(start);
            var negated = new NotNode(BooleanOperand());
            _scan.Leave();
            return negated;
        }

        return Term();
    }

    private ConditionNode Term()
    {
        var left = Operand() ?? throw _scan.Error("expected a value, a variable or env(…)");
        var start = _scan.Position;
        if (_scan.Keyword("in"))
        {
            return new InNode(left, List(), negated: false);
        }

        if (_scan.Keyword("not") && _scan.Keyword("in"))
        {
            return new InNode(left, List(), negated: true);
        }

        _scan.Position = start;
        if (_scan.Keyword("is"))
        {
            var negated = _scan.Keyword("not");
            return new IsNode(left, Predicate(), negated);
        }

        if (_scan.Symbol("=~", "~=", "!~") is { } match)
        {
            return new MatchNode(left, ConditionPatternReader.Read(_scan, Call), negated: match == "!~");
        }

        if (_scan.Symbol("==", "=", "!=") is { } equals)
        {
            var right = Operand() ?? throw _scan.Error($"expected a value, a variable or env(…) after {equals}");
            return new EqualsNode(left, right, negated: equals == "!=");
        }

        return left;
    }

    /// <summary><c>var | call | val</c>, or null when there is none here.</summary>
    private ConditionNode? Operand()
    {
        _scan.SkipSpace();
        return (ConditionNode?)Variable() ?? (ConditionNode?)Call() ?? Value();
    }

    /// <summary>A lowercase variable name followed by a boundary (§B11: whitespace , = ) | or the end).</summary>
    private VariableNode? Variable()
    {
        var text = _scan.Text;
        foreach (var name in VariableNode.Names)
        {
            var end = _scan.Position + name.Length;
            if (string.CompareOrdinal(text, _scan.Position, name, 0, name.Length) == 0
                && (end == text.Length || ConditionChars.IsVariableBoundary(text[end])))
            {
                _scan.Position = end;
                return new VariableNode(name);
            }
        }

        return null;
    }

    /// <summary><c>env(…)</c> or <c>concat(…)</c>; a function name without a parenthesis is left to be a word.</summary>
    private CallNode? Call()
    {
        var start = _scan.Position;
        var function = _scan.Keyword("env") ? "env" : _scan.Keyword("concat") ? "concat" : null;
        _scan.SkipSpace();
        if (function is null || _scan.Peek() != '(')
        {
            _scan.Position = start;
            return null;
        }

        _scan.Enter(start);
        var open = _scan.Position;
        _scan.Position++;
        var arguments = Items();
        Close(open);
        _scan.Leave();
        return new CallNode(function, arguments);
    }

    /// <summary>A quoted string (no escapes) or an unquoted word <c>[^\s()"',=!]+</c> that must not start with <c>$</c>.</summary>
    private LiteralNode? Value()
    {
        var text = _scan.Text;
        var start = _scan.Position;
        var quote = _scan.Peek();
        if (quote is '"' or '\'')
        {
            var close = text.IndexOf(quote, start + 1);
            if (close < 0)
            {
                throw _scan.Error($"the {quote} quote is not closed");
            }

            _scan.Position = close + 1;
            return new LiteralNode(text[(start + 1)..close]);
        }

        var end = start;
        while (end < text.Length && ConditionChars.IsWord(text[end]))
        {
            end++;
        }

        if (end == start)
        {
            return null;
        }

        var word = text[start..end];
        if (word[0] == '$')
        {
            throw _scan.Error(ShellMessage(word));
        }

        _scan.Position = end;
        return new LiteralNode(word);
    }

    /// <summary><c>"(" item {"," item} [","] ")"</c> after IN: at least one item.</summary>
    private List<ConditionNode> List()
    {
        _scan.SkipSpace();
        if (_scan.Peek() != '(')
        {
            throw _scan.Error("expected ( and a list of values after IN");
        }

        var open = _scan.Position;
        _scan.Position++;
        var items = Items();
        if (items.Count == 0)
        {
            _scan.SkipSpace();
            throw _scan.Error("IN needs at least one value in its list");
        }

        Close(open);
        return items;
    }

    /// <summary>Comma-separated operands up to (not including) the closing parenthesis; a trailing comma is allowed.</summary>
    private List<ConditionNode> Items()
    {
        var items = new List<ConditionNode>();
        while (Operand() is { } item)
        {
            items.Add(item);
            if (_scan.Symbol(",") is null)
            {
                break;
            }
        }

        return items;
    }

    private ConditionPredicate Predicate()
    {
        foreach (var predicate in Enum.GetValues<ConditionPredicate>())
        {
            if (_scan.Keyword(predicate.ToString()))
            {
                return predicate;
            }
        }

        _scan.SkipSpace();
        throw _scan.Error("expected present, blank, true or false after IS (compare values with =)");
    }

    private void Close(int open)
    {
        _scan.SkipSpace();
        if (_scan.Peek() != ')')
        {
            throw _scan.Error($"expected ) to close the ( at offset {_scan.OriginalOffset(open)}, found {_scan.Snippet()}");
        }

        _scan.Position++;
    }

    private static string ShellMessage(string word)
    {
        var name = word.TrimStart('$').Trim('{', '}');
        var hint = name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')
            ? $"read a variable with env({name}), or quote the string"
            : "quote the string if it really starts with $";
        var shown = word.Length > 40 ? word[..40] + "…" : word;
        return $"'{shown}' starts with $: shell code does not work in conditions; {hint}";
    }
}
