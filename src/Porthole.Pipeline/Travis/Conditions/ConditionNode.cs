namespace Porthole.Pipeline.Travis.Conditions;

/// <summary>
/// One part of a parsed condition. Nodes are immutable; <see cref="ToString"/> gives the tree as an
/// S-expression such as <c>(and (eq branch 'master') (is tag present))</c>, for tests and messages.
/// </summary>
internal abstract class ConditionNode
{
    /// <summary>The node's value for one request/job; throws <see cref="ConditionEvaluationException"/> on a problem.</summary>
    public abstract ConditionValue Evaluate(ConditionData data);

    public abstract override string ToString();
}

/// <summary>A problem met while evaluating (a bad regex, a regex that timed out, a bad argument): the condition is false.</summary>
internal sealed class ConditionEvaluationException(string message) : Exception(message);
