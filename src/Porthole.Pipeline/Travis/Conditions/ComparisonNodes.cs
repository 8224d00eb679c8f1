namespace Porthole.Pipeline.Travis.Conditions;

/// <summary><c>a = b</c>, <c>a == b</c>, <c>a != b</c>: equal after the true/false cast; two absent values are equal.</summary>
internal sealed class EqualsNode(ConditionNode left, ConditionNode right, bool negated) : ConditionNode
{
    public ConditionNode Left { get; } = left;

    public ConditionNode Right { get; } = right;

    public bool Negated { get; } = negated;

    public override ConditionValue Evaluate(ConditionData data)
    {
        var equal = Left.Evaluate(data) == Right.Evaluate(data);
        return ConditionValue.Of(equal != Negated);
    }

    public override string ToString() => $"({(Negated ? "not_eq" : "eq")} {Left} {Right})";
}

/// <summary><c>a IN (x, y)</c> / <c>a NOT IN (x, y)</c>: membership after evaluating every item.</summary>
internal sealed class InNode(ConditionNode operand, IReadOnlyList<ConditionNode> items, bool negated) : ConditionNode
{
    public ConditionNode Operand { get; } = operand;

    public IReadOnlyList<ConditionNode> Items { get; } = items;

    public bool Negated { get; } = negated;

    public override ConditionValue Evaluate(ConditionData data)
    {
        var values = Items.Select(item => item.Evaluate(data)).ToList();
        var found = values.Contains(Operand.Evaluate(data));
        return ConditionValue.Of(found != Negated);
    }

    public override string ToString() => $"({(Negated ? "not_in" : "in")} {Operand} ({string.Join(' ', Items)}))";
}

/// <summary>The predicates of <c>IS</c> / <c>IS NOT</c>.</summary>
internal enum ConditionPredicate
{
    Present,
    Blank,
    True,
    False,
}

/// <summary><c>a IS present|blank|true|false</c> and <c>IS NOT …</c>; <c>true</c>/<c>false</c> test Ruby truthiness.</summary>
internal sealed class IsNode(ConditionNode operand, ConditionPredicate predicate, bool negated) : ConditionNode
{
    public ConditionNode Operand { get; } = operand;

    public ConditionPredicate Predicate { get; } = predicate;

    public bool Negated { get; } = negated;

    public override ConditionValue Evaluate(ConditionData data)
    {
        var value = Operand.Evaluate(data);
        var holds = Predicate switch
        {
            ConditionPredicate.Present => value.IsPresent,
            ConditionPredicate.Blank => !value.IsPresent,
            ConditionPredicate.True => value.IsTruthy,
            _ => !value.IsTruthy,
        };
        return ConditionValue.Of(holds != Negated);
    }

    public override string ToString() =>
        $"({(Negated ? "is_not" : "is")} {Operand} {Predicate.ToString().ToLowerInvariant()})";
}

/// <summary>
/// <c>a =~ re</c> (alias <c>~=</c>) and <c>a !~ re</c>: an unanchored Ruby regex match. An absent left side
/// does not match (so <c>!~</c> is then true); a pattern that evaluates to nothing matches nothing.
/// </summary>
internal sealed class MatchNode(ConditionNode left, ConditionPattern pattern, bool negated) : ConditionNode
{
    public ConditionNode Left { get; } = left;

    public ConditionPattern Pattern { get; } = pattern;

    public bool Negated { get; } = negated;

    public override ConditionValue Evaluate(ConditionData data)
    {
        var left = Left.Evaluate(data);
        var regex = Pattern.Resolve(data);
        var matched = !left.IsAbsent && regex is not null && Pattern.IsMatch(regex, left.ToText());
        return ConditionValue.Of(matched != Negated);
    }

    public override string ToString() => $"({(Negated ? "not_match" : "match")} {Left} {Pattern})";
}
