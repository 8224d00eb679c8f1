namespace Porthole.Pipeline.Travis.Conditions;

/// <summary>A variable of §B11 "Data" (<c>branch</c>, <c>tag</c>, …), read from the request/job.</summary>
internal sealed class VariableNode(string name) : ConditionNode
{
    /// <summary>The names, lowercase only (TC <c>Parser::VAR</c> has no <c>/i</c>).</summary>
    public static readonly IReadOnlyList<string> Names =
    [
        "type", "repo", "head_repo", "os", "dist", "group", "sudo", "language", "sender", "fork", "draft",
        "branch", "head_branch", "tag", "commit_message",
    ];

    public string Name { get; } = name;

    public override ConditionValue Evaluate(ConditionData data) => Name switch
    {
        "type" => ConditionValue.Of(data.Type),
        "repo" => ConditionValue.Of(data.Repo),
        "head_repo" => ConditionValue.Of(data.HeadRepo),
        "os" => ConditionValue.Of(data.Os),
        "dist" => ConditionValue.Of(data.Dist),
        "group" => ConditionValue.Of(data.Group),
        "sudo" => ConditionValue.Of(data.Sudo),
        "language" => ConditionValue.Of(data.Language),
        "sender" => ConditionValue.Of(data.Sender),
        "fork" => data.Fork is { } fork ? ConditionValue.Of(fork) : ConditionValue.Absent,
        "draft" => data.Draft is { } draft ? ConditionValue.Of(draft) : ConditionValue.Absent,
        "branch" => ConditionValue.Of(data.Branch),
        "head_branch" => ConditionValue.Of(data.HeadBranch),
        "tag" => ConditionValue.Of(data.Tag),
        "commit_message" => ConditionValue.Of(data.CommitMessage),
        _ => throw new InvalidOperationException($"unknown condition variable '{Name}'"),
    };

    public override string ToString() => Name;
}

/// <summary>A literal string: an unquoted word (an unknown word is a string, so <c>foo = foo</c> is true) or a quoted one.</summary>
internal sealed class LiteralNode(string text) : ConditionNode
{
    public string Text { get; } = text;

    public override ConditionValue Evaluate(ConditionData data) => ConditionValue.Of(Text);

    public override string ToString() => $"'{Text}'";
}

/// <summary><c>env(NAME)</c> or <c>concat(a, b, …)</c>; arguments are evaluated first, and may be calls themselves.</summary>
internal sealed class CallNode(string function, IReadOnlyList<ConditionNode> arguments) : ConditionNode
{
    /// <summary><c>env</c> or <c>concat</c>, lowercase.</summary>
    public string Function { get; } = function;

    public IReadOnlyList<ConditionNode> Arguments { get; } = arguments;

    public override ConditionValue Evaluate(ConditionData data)
    {
        var values = new ConditionValue[Arguments.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = Arguments[i].Evaluate(data);
        }

        return Function == "env" ? Env(values, data) : ConditionValue.Of(string.Concat(values.Select(v => v.ToText())));
    }

    public override string ToString() =>
        Arguments.Count == 0 ? $"({Function})" : $"({Function} {string.Join(' ', Arguments)})";

    /// <summary>TC <c>Data#env</c>: <c>env()</c> is nil, a name is looked up and one pair of surrounding quotes removed.</summary>
    private static ConditionValue Env(ConditionValue[] values, ConditionData data)
    {
        if (values.Length > 1)
        {
            throw new ConditionEvaluationException($"env() takes one variable name, {values.Length} were given");
        }

        if (values.Length == 0 || values[0].IsAbsent)
        {
            return ConditionValue.Absent;
        }

        if (values[0].Text is not { } name)
        {
            throw new ConditionEvaluationException($"env() needs a variable name, not {values[0]}");
        }

        if (!data.Env.TryGetValue(name, out var value))
        {
            return ConditionValue.Absent;
        }

        if (value.Length >= 2 && value[0] is '"' or '\'' && value[^1] == value[0] && !value.Contains('\n', StringComparison.Ordinal))
        {
            value = value[1..^1];
        }

        return ConditionValue.Of(value);
    }
}
