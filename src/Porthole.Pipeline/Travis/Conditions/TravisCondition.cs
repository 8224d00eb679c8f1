namespace Porthole.Pipeline.Travis.Conditions;

/// <summary>
/// A parsed Travis <c>if:</c> condition (the v1 language of §B11), for the root, stages and jobs. Immutable and
/// safe to evaluate from several threads. Input is bounded (<see cref="ConditionParser.MaxLength"/> characters,
/// <see cref="ConditionParser.MaxDepth"/> levels of nesting) and every regex match runs with a timeout.
/// </summary>
internal sealed class TravisCondition
{
    private readonly ConditionNode _root;

    private TravisCondition(string text, ConditionNode root)
    {
        Text = text;
        _root = root;
    }

    public string Text { get; }

    /// <summary>
    /// Parses <paramref name="text"/>; on failure returns null and a one-line <paramref name="error"/> naming what
    /// is wrong and where (its offset, 0-based, in <paramref name="text"/>).
    /// </summary>
    public static TravisCondition? Parse(string text, out ConditionSyntaxError? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > ConditionParser.MaxLength)
        {
            error = new ConditionSyntaxError(
                $"the condition is longer than {ConditionParser.MaxLength} characters (offset {ConditionParser.MaxLength})",
                ConditionParser.MaxLength);
            return null;
        }

        try
        {
            var root = ConditionParser.Parse(ConditionSource.From(text));
            error = null;
            return new TravisCondition(text, root);
        }
        catch (ConditionSyntaxException e)
        {
            error = new ConditionSyntaxError($"{e.Message} (offset {e.Offset})", e.Offset);
            return null;
        }
    }

    /// <summary>
    /// Evaluates the condition for one request/job. Never throws: a problem (a bad regex, a regex that timed out,
    /// a bad argument) makes the condition false, with the reason in <paramref name="problem"/>, as Travis's
    /// <c>accept?</c> is false on any error.
    /// </summary>
    public bool Evaluate(ConditionData data, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(data);
        try
        {
            problem = null;
            return _root.Evaluate(data).IsTruthy;
        }
        catch (ConditionEvaluationException e)
        {
            problem = e.Message;
            return false;
        }
    }

    /// <summary>The parsed tree as an S-expression, e.g. <c>(and (eq branch 'master') (is tag present))</c>.</summary>
    public override string ToString() => _root.ToString();
}
