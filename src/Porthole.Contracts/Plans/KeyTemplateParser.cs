using System.Globalization;
using System.Text;

namespace Porthole.Contracts.Plans;

/// <summary>One piece of a parsed key template: text, or an action at <see cref="Offset"/> in the template.</summary>
internal abstract record KeyTemplatePart(int Offset);

internal sealed record LiteralPart(string Text, int Offset) : KeyTemplatePart(Offset);

/// <summary><c>{{ .A.B }}</c>, with the arguments Go would refuse at run time (<c>{{ .Branch "x" }}</c>).</summary>
internal sealed record FieldPart(IReadOnlyList<string> Names, IReadOnlyList<KeyTemplateOperand> Arguments, int Offset) : KeyTemplatePart(Offset);

/// <summary><c>{{ function args… }}</c>; <see cref="Chain"/> holds fields Go would look up on its result (<c>{{ parameters.x }}</c>).</summary>
internal sealed record CallPart(string Function, IReadOnlyList<KeyTemplateOperand> Arguments, IReadOnlyList<string> Chain, int Offset) : KeyTemplatePart(Offset);

internal sealed record ConstantPart(string Value, int Offset) : KeyTemplatePart(Offset);

/// <summary>An argument of a function: a string constant, a field chain, or a function called without arguments.</summary>
internal abstract record KeyTemplateOperand(int Offset);

internal sealed record StringOperand(string Value, int Offset) : KeyTemplateOperand(Offset);

internal sealed record FieldOperand(IReadOnlyList<string> Names, int Offset) : KeyTemplateOperand(Offset);

internal sealed record FunctionOperand(string Name, IReadOnlyList<string> Chain, int Offset) : KeyTemplateOperand(Offset);

/// <summary>
/// Reads the subset of Go's text/template that cache keys use (§A5): text, <c>{{ .Field.Chain }}</c>,
/// <c>{{ function "arg" … }}</c>, string constants, comments and the trim markers <c>{{- </c> / <c> -}}</c>. It follows
/// Go's lexer where the two meet: a lone <c>}}</c> is text, an action may span lines, the trim markers need a space
/// next to them. Pipes, variables, parentheses, numbers and keywords (if, range…) are refused as forms a key has no use for.
/// </summary>
internal sealed class KeyTemplateParser
{
    private const string SpaceChars = " \t\r\n";

    private static readonly HashSet<string> Keywords =
        ["if", "else", "end", "range", "with", "define", "template", "block", "break", "continue", "nil", "true", "false"];

    private readonly string _text;
    private readonly List<KeyTemplatePart> _parts = [];
    private int _position;

    private KeyTemplateParser(string text)
    {
        _text = text;
    }

    public static IReadOnlyList<KeyTemplatePart> Parse(string text)
    {
        var parser = new KeyTemplateParser(text);
        parser.ParseAll();
        return parser._parts;
    }

    public static string Located(string text, int offset, string message) =>
        $"template: {KeyTemplate.TemplateName}:{LineOf(text, offset)}: {message}";

    public static int LineOf(string text, int offset) =>
        1 + text.AsSpan(0, Math.Min(offset, text.Length)).Count('\n');

    private static bool IsSpace(char c) => c is ' ' or '\t' or '\r' or '\n';

    private static bool IsAlphaNumeric(char c) => c == '_' || char.IsLetterOrDigit(c);

    private void ParseAll()
    {
        var trimNextText = false;
        while (_position < _text.Length)
        {
            var open = _text.IndexOf("{{", _position, StringComparison.Ordinal);
            var textEnd = open < 0 ? _text.Length : open;
            var trimLeft = open >= 0 && HasLeftTrimMarker(open + 2);
            AddText(_position, textEnd, trimNextText, trimLeft);
            if (open < 0)
            {
                return;
            }

            _position = open + 2 + (trimLeft ? 2 : 0);
            trimNextText = ParseAction(open);
        }
    }

    private void AddText(int start, int end, bool trimStart, bool trimEnd)
    {
        var text = _text[start..end];
        if (trimStart)
        {
            text = text.TrimStart(SpaceChars.ToCharArray());
        }

        if (trimEnd)
        {
            text = text.TrimEnd(SpaceChars.ToCharArray());
        }

        if (text.Length > 0)
        {
            _parts.Add(new LiteralPart(text, start));
        }
    }

    private bool HasLeftTrimMarker(int at) => at + 1 < _text.Length && _text[at] == '-' && IsSpace(_text[at + 1]);

    /// <summary>At <c>}}</c> or <c> -}}</c>: how long the closing is and whether it trims the text after it.</summary>
    private (int Length, bool Trim) AtRightDelimiter(int at)
    {
        if (at + 3 < _text.Length && IsSpace(_text[at]) && _text[at + 1] == '-' && string.CompareOrdinal(_text, at + 2, "}}", 0, 2) == 0)
        {
            return (4, true);
        }

        return string.CompareOrdinal(_text, at, "}}", 0, 2) == 0 ? (2, false) : (0, false);
    }

    /// <summary>Reads one action from just inside its <c>{{</c>; returns whether it ends with a trim marker.</summary>
    private bool ParseAction(int actionStart)
    {
        if (string.CompareOrdinal(_text, _position, "/*", 0, 2) == 0)
        {
            return SkipComment();
        }

        var operands = new List<(KeyTemplateOperand Operand, string Token)>();
        while (true)
        {
            var (closeLength, trim) = AtRightDelimiter(_position);
            if (closeLength > 0)
            {
                _position += closeLength;
                AddAction(operands, actionStart);
                return trim;
            }

            if (_position >= _text.Length)
            {
                throw Error(actionStart, "unclosed action");
            }

            var c = _text[_position];
            if (IsSpace(c))
            {
                _position++;
                continue;
            }

            var start = _position;
            KeyTemplateOperand operand = c switch
            {
                '"' => new StringOperand(ReadQuoted(), start),
                '`' => new StringOperand(ReadRaw(), start),
                '.' when _position + 1 < _text.Length && IsAlphaNumeric(_text[_position + 1]) => new FieldOperand(ReadFieldChain(), start),
                _ when char.IsLetter(c) || c == '_' => new FunctionOperand(ReadIdentifier(), ReadFieldChain(), start),
                _ => throw Unsupported(start, ReadOddToken()),
            };
            RequireTerminator();
            operands.Add((operand, _text[start.._position]));
        }
    }

    private void AddAction(List<(KeyTemplateOperand Operand, string Token)> operands, int actionStart)
    {
        if (operands.Count == 0)
        {
            throw Error(actionStart, "missing value for command");
        }

        var (first, token) = operands[0];
        var arguments = operands.Skip(1).Select(o => o.Operand).ToList();
        switch (first)
        {
            case FunctionOperand function when Keywords.Contains(function.Name):
                throw Unsupported(function.Offset, token);
            case FunctionOperand function:
                _parts.Add(new CallPart(function.Name, arguments, function.Chain, function.Offset));
                break;
            case FieldOperand field:
                _parts.Add(new FieldPart(field.Names, arguments, field.Offset));
                break;
            case StringOperand constant when arguments.Count == 0:
                _parts.Add(new ConstantPart(constant.Value, constant.Offset));
                break;
            default:
                throw Error(first.Offset, $"can't give argument to non-function {token}");
        }

        foreach (var (operand, argumentToken) in operands.Skip(1))
        {
            if (operand is FunctionOperand function && Keywords.Contains(function.Name))
            {
                throw Unsupported(operand.Offset, argumentToken);
            }
        }
    }

    private bool SkipComment()
    {
        var start = _position;
        var end = _text.IndexOf("*/", _position + 2, StringComparison.Ordinal);
        if (end < 0)
        {
            throw Error(start, "unclosed comment");
        }

        _position = end + 2;
        var (closeLength, trim) = AtRightDelimiter(_position);
        if (closeLength == 0)
        {
            throw Error(start, "comment ends before closing delimiter");
        }

        _position += closeLength;
        return trim;
    }

    private List<string> ReadFieldChain()
    {
        var names = new List<string>();
        while (_position + 1 < _text.Length && _text[_position] == '.' && IsAlphaNumeric(_text[_position + 1]))
        {
            _position++;
            names.Add(ReadIdentifier());
        }

        return names;
    }

    private string ReadIdentifier()
    {
        var start = _position;
        while (_position < _text.Length && IsAlphaNumeric(_text[_position]))
        {
            _position++;
        }

        return _text[start.._position];
    }

    /// <summary>Go's lexer wants a space, a closing or punctuation after a word; <c>.Branch-x</c> is a bad character.</summary>
    private void RequireTerminator()
    {
        if (_position >= _text.Length || IsSpace(_text[_position]) || AtRightDelimiter(_position).Length > 0)
        {
            return;
        }

        var c = _text[_position];
        if (c is '.' or ',' or '|' or ':' or ')' or '(')
        {
            throw Unsupported(_position, ReadOddToken());
        }

        throw Error(_position, $"bad character U+{(int)c:X4} '{c}'");
    }

    /// <summary>A token of a form keys do not support, for the message: up to the next space or closing.</summary>
    private string ReadOddToken()
    {
        var start = _position;
        while (_position < _text.Length && !IsSpace(_text[_position]) && AtRightDelimiter(_position).Length == 0)
        {
            _position++;
        }

        return _position == start ? _text[start].ToString() : _text[start.._position];
    }

    private string ReadQuoted()
    {
        var start = _position;
        var value = new StringBuilder();
        _position++;
        while (true)
        {
            if (_position >= _text.Length || _text[_position] == '\n')
            {
                throw Error(start, "unterminated quoted string");
            }

            var c = _text[_position++];
            if (c == '"')
            {
                return value.ToString();
            }

            if (c != '\\')
            {
                value.Append(c);
                continue;
            }

            if (_position >= _text.Length || _text[_position] == '\n')
            {
                throw Error(start, "unterminated quoted string");
            }

            ReadEscape(value, start);
        }
    }

    private void ReadEscape(StringBuilder value, int stringStart)
    {
        var c = _text[_position++];
        switch (c)
        {
            case 'a': value.Append('\a'); break;
            case 'b': value.Append('\b'); break;
            case 'f': value.Append('\f'); break;
            case 'n': value.Append('\n'); break;
            case 'r': value.Append('\r'); break;
            case 't': value.Append('\t'); break;
            case 'v': value.Append('\v'); break;
            case '\\': value.Append('\\'); break;
            case '"': value.Append('"'); break;
            case 'x': value.Append((char)ReadHex(2, stringStart)); break;
            case 'u': value.Append(char.ConvertFromUtf32(ReadHex(4, stringStart))); break;
            case 'U': value.Append(char.ConvertFromUtf32(ReadHex(8, stringStart))); break;
            case >= '0' and <= '7':
                _position--;
                value.Append((char)ReadDigits(3, 8, stringStart));
                break;
            default:
                throw Error(stringStart, "invalid syntax");
        }
    }

    private int ReadHex(int digits, int stringStart) => ReadDigits(digits, 16, stringStart);

    private int ReadDigits(int digits, int radix, int stringStart)
    {
        if (_position + digits > _text.Length)
        {
            throw Error(stringStart, "invalid syntax");
        }

        long number = 0;
        for (var i = 0; i < digits; i++)
        {
            var digit = HexDigit(_text[_position++]);
            if (digit < 0 || digit >= radix)
            {
                throw Error(stringStart, "invalid syntax");
            }

            number = (number * radix) + digit;
        }

        if (number is > 0x10FFFF or (>= 0xD800 and <= 0xDFFF) || (radix == 8 && number > 255))
        {
            throw Error(stringStart, "invalid syntax");
        }

        return (int)number;
    }

    private static int HexDigit(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    private string ReadRaw()
    {
        var start = _position;
        var end = _text.IndexOf('`', _position + 1);
        if (end < 0)
        {
            throw Error(start, "unterminated raw quoted string");
        }

        _position = end + 1;
        return _text[(start + 1)..end].Replace("\r", string.Empty, StringComparison.Ordinal);
    }

    private KeyTemplateException Error(int offset, string message) => new(Located(_text, offset, message), offset);

    private KeyTemplateException Unsupported(int offset, string token) =>
        Error(offset, string.Create(
            CultureInfo.InvariantCulture,
            $"a cache key does not support \"{token}\" here; use .Branch, .BuildNum, .Revision, .Environment.NAME, checksum \"FILE\", epoch or arch"));
}
