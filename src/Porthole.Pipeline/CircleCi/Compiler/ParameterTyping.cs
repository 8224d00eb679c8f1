using System.Globalization;
using System.Text.RegularExpressions;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.CircleCi.Compiler;

/// <summary>
/// Checks one value against a parameter's type (§A1.1) and gives it the form substitution relies on: a boolean is a
/// plain <c>true</c>/<c>false</c>, an integer plain digits, a string, enum or variable name a quoted scalar (so no
/// reader re-types it), steps a list, an executor its name or map. The same check serves arguments and defaults.
/// </summary>
internal static partial class ParameterTyping
{
    /// <summary>Longest value text a message quotes; a longer one is cut, so a pasted script does not fill the screen.</summary>
    private const int QuotedLength = 60;

    /// <summary>The value typed, or null with an error saying what <paramref name="what"/> (<c>argument 'x' of job 'build'</c>) must be.</summary>
    public static Node? Typed(ParameterType type, IReadOnlyList<string> choices, Node value, string what, ErrorList errors)
    {
        switch (type)
        {
            case ParameterType.Boolean:
                return Boolean(value, what, errors);
            case ParameterType.Integer:
                return Integer(value, what, errors);
            case ParameterType.String:
                return String(value, what, errors);
            case ParameterType.Enum:
                return Enum(choices, value, what, errors);
            case ParameterType.EnvVarName:
                return VariableName(value, what, errors);
            case ParameterType.Steps:
                return Steps(value, what, errors);
            default:
                return Executor(value, what, errors);
        }
    }

    /// <summary>The normalised text of a YAML 1.1 boolean word (true/false, yes/no, on/off, any case); null otherwise.</summary>
    public static string? BooleanText(string text)
    {
        if (text.Equals("true", StringComparison.OrdinalIgnoreCase) || text.Equals("yes", StringComparison.OrdinalIgnoreCase)
            || text.Equals("on", StringComparison.OrdinalIgnoreCase))
        {
            return "true";
        }

        if (text.Equals("false", StringComparison.OrdinalIgnoreCase) || text.Equals("no", StringComparison.OrdinalIgnoreCase)
            || text.Equals("off", StringComparison.OrdinalIgnoreCase))
        {
            return "false";
        }

        return null;
    }

    /// <summary>Decimal digits (an optional sign, <c>_</c> separators as YAML 1.1 allows) normalised; null otherwise.</summary>
    public static string? IntegerText(string text)
    {
        if (!IntegerSyntax().IsMatch(text))
        {
            return null;
        }

        var digits = text.Replace("_", "", StringComparison.Ordinal);
        return long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
            ? number.ToString(CultureInfo.InvariantCulture)
            : null;
    }

    /// <summary>A message's rendering of a value: its text quoted (cut when long), or what kind of node it is.</summary>
    public static string Found(Node value) => value is ScalarNode { IsNull: false } scalar ? Quote(scalar.Value) : value.Describe();

    public static string Quote(string text) =>
        text.Length <= QuotedLength ? $"'{text}'" : $"'{text[..QuotedLength]}…'";

    private static ScalarNode Quoted(Node at, string text) => new(at.Start, text, false, null) { Via = at.Via };

    private static ScalarNode Plain(Node at, string text) => new(at.Start, text, true, null) { Via = at.Via };

    private static Node? Boolean(Node value, string what, ErrorList errors)
    {
        if (value is ScalarNode { IsPlain: true, Tag: null } scalar && BooleanText(scalar.Value) is { } text)
        {
            return Plain(value, text);
        }

        errors.Add(value, $"{what} must be a boolean (true/false, yes/no, on/off), found {FoundTyped(value)}");
        return null;
    }

    private static Node? Integer(Node value, string what, ErrorList errors)
    {
        if (value is ScalarNode { IsPlain: true, Tag: null } scalar && IntegerText(scalar.Value) is { } text)
        {
            return Plain(value, text);
        }

        errors.Add(value, $"{what} must be an integer, found {FoundTyped(value)}");
        return null;
    }

    private static Node? String(Node value, string what, ErrorList errors)
    {
        if (value is not ScalarNode scalar)
        {
            errors.Add(value, $"{what} must be a string, found {value.Describe()}");
            return null;
        }

        if (scalar.IsNull)
        {
            return Quoted(value, "");
        }

        // §A1.1: "using an unquoted string value that YAML interprets as a boolean will result in a type error".
        if (scalar.IsPlain && scalar.Tag is null && ReadsAs(scalar.Value) is { } reading)
        {
            errors.Add(value, $"{what} must be a string, found {Quote(scalar.Value)}, which YAML reads as {reading}; quote it (\"{scalar.Value}\") to pass it as a string");
            return null;
        }

        return Quoted(value, scalar.Value);
    }

    private static Node? Enum(IReadOnlyList<string> choices, Node value, string what, ErrorList errors)
    {
        if (value is ScalarNode { IsNull: false } scalar && choices.Contains(scalar.Value, StringComparer.Ordinal))
        {
            return Quoted(value, scalar.Value);
        }

        errors.Add(value, $"{what} must be one of {string.Join(", ", choices)}; found {Found(value)}");
        return null;
    }

    private static Node? VariableName(Node value, string what, ErrorList errors)
    {
        if (value is ScalarNode { IsNull: false } scalar && VariableNameSyntax().IsMatch(scalar.Value))
        {
            return Quoted(value, scalar.Value);
        }

        errors.Add(value, $"{what} must be an environment variable name (letters, digits and _, not starting with a digit), found {Found(value)}");
        return null;
    }

    private static Node? Steps(Node value, string what, ErrorList errors)
    {
        switch (value)
        {
            case ScalarNode { IsNull: true }:
                return NodeFactory.List(value.Start, [], value.Via);
            case ScalarNode or MapNode:
                // "A single step passed is still a sequence" (§A1.1).
                return NodeFactory.List(value.Start, [value], value.Via);
        }

        var list = (ListNode)value;
        var good = true;
        foreach (var item in list.Items)
        {
            if (item is ListNode or ScalarNode { IsNull: true })
            {
                errors.Add(item, $"{what} must be a list of steps (each a step name or a map), found {item.Describe()} in it");
                good = false;
            }
        }

        return good ? value : null;
    }

    private static Node? Executor(Node value, string what, ErrorList errors)
    {
        switch (value)
        {
            case ScalarNode { IsNull: false }:
                return value;
            case MapNode map when map.Get("name") is ScalarNode { IsNull: false }:
                return value;
            case MapNode:
                errors.Add(value, $"{what} must name its executor: a map with name: (and the executor's arguments)");
                return null;
            default:
                errors.Add(value, $"{what} must be an executor: its name or a map with name:, found {value.Describe()}");
                return null;
        }
    }

    /// <summary>Like <see cref="Found"/>, noting a quoted scalar: a quoted <c>"true"</c> is a string, not a boolean.</summary>
    private static string FoundTyped(Node value) =>
        value is ScalarNode { IsNull: false, IsPlain: false } scalar ? $"the string {Quote(scalar.Value)}" : Found(value);

    /// <summary>What a plain scalar reads as when it is not a string in YAML 1.1 (SnakeYAML, which CircleCI uses).</summary>
    private static string? ReadsAs(string text)
    {
        if (text is "true" or "True" or "TRUE" or "false" or "False" or "FALSE" or "yes" or "Yes" or "YES" or "no" or "No" or "NO"
            or "on" or "On" or "ON" or "off" or "Off" or "OFF")
        {
            return "a boolean";
        }

        return NumberSyntax().IsMatch(text) ? "a number" : null;
    }

    [GeneratedRegex(@"^[-+]?[0-9][0-9_]*$")]
    private static partial Regex IntegerSyntax();

    [GeneratedRegex(@"^(?:[-+]?(?:0b[01_]+|0x[0-9a-fA-F_]+|\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")]
    private static partial Regex NumberSyntax();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex VariableNameSyntax();
}
