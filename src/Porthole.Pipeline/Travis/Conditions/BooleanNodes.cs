namespace Porthole.Pipeline.Travis.Conditions;

/// <summary><c>a OR b OR …</c>: true when one part is truthy, evaluated left to right until one is.</summary>
internal sealed class OrNode(IReadOnlyList<ConditionNode> parts) : ConditionNode
{
    public IReadOnlyList<ConditionNode> Parts { get; } = parts;

    public override ConditionValue Evaluate(ConditionData data)
    {
        foreach (var part in Parts)
        {
            if (part.Evaluate(data).IsTruthy)
            {
                return ConditionValue.Of(true);
            }
        }

        return ConditionValue.Of(false);
    }

    public override string ToString() => $"(or {string.Join(' ', Parts)})";
}

/// <summary><c>a AND b AND …</c>: true when every part is truthy, evaluated left to right until one is not.</summary>
internal sealed class AndNode(IReadOnlyList<ConditionNode> parts) : ConditionNode
{
    public IReadOnlyList<ConditionNode> Parts { get; } = parts;

    public override ConditionValue Evaluate(ConditionData data)
    {
        foreach (var part in Parts)
        {
            if (!part.Evaluate(data).IsTruthy)
            {
                return ConditionValue.Of(false);
            }
        }

        return ConditionValue.Of(true);
    }

    public override string ToString() => $"(and {string.Join(' ', Parts)})";
}

/// <summary><c>NOT a</c> / <c>!a</c>.</summary>
internal sealed class NotNode(ConditionNode operand) : ConditionNode
{
    public ConditionNode Operand { get; } = operand;

    public override ConditionValue Evaluate(ConditionData data) => ConditionValue.Of(!Operand.Evaluate(data).IsTruthy);

    public override string ToString() => $"(not {Operand})";
}
