using System.Text.RegularExpressions;

namespace Porthole.Pipeline.Travis.Conditions;

/// <summary>
/// The right side of <c>=~</c>: a literal pattern (<c>/…/</c> or a bare word), compiled on first use and kept,
/// or an <c>env(…)</c>/<c>concat(…)</c> call whose value is compiled at each evaluation. The pattern is Ruby
/// syntax, translated by <see cref="RubyRegex"/>; a value that is absent or false gives no pattern (no match).
/// </summary>
internal sealed class ConditionPattern(ConditionNode source)
{
    private Compiled? _literal;

    public ConditionNode Source { get; } = source;

    /// <summary>The regex, or null when the pattern's value is absent or false; throws on a bad pattern.</summary>
    public Regex? Resolve(ConditionData data)
    {
        if (Source is LiteralNode && Volatile.Read(ref _literal) is { } known)
        {
            return known.Unwrap();
        }

        var compiled = Compile(Source.Evaluate(data));
        if (Source is LiteralNode)
        {
            Volatile.Write(ref _literal, compiled);
        }

        return compiled.Unwrap();
    }

    public bool IsMatch(Regex regex, string input)
    {
        try
        {
            return regex.IsMatch(input);
        }
        catch (RegexMatchTimeoutException)
        {
            throw new ConditionEvaluationException(
                $"the regular expression {Describe()} took longer than {RubyRegex.MatchTimeout.TotalMilliseconds:0} ms to match");
        }
    }

    public override string ToString() => Source is LiteralNode literal ? $"/{literal.Text}/" : Source.ToString();

    private Compiled Compile(ConditionValue value)
    {
        if (!value.IsTruthy)
        {
            return new Compiled(null, null);
        }

        if (value.Text is not { } text)
        {
            return new Compiled(null, $"the regular expression {Describe()} is the boolean true, not a pattern");
        }

        var regex = RubyRegex.Create(text, out var problem);
        return new Compiled(regex, problem is null ? null : $"the regular expression {Describe()} cannot be used: {problem}");
    }

    /// <summary>A literal is shown as written; a computed pattern only by its call, as its value may be a secret.</summary>
    private string Describe() => Source is LiteralNode ? ToString() : $"given by {Source}";

    private sealed record Compiled(Regex? Regex, string? Problem)
    {
        public Regex? Unwrap() => Problem is null ? Regex : throw new ConditionEvaluationException(Problem);
    }
}
