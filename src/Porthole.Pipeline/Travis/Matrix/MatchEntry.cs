using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.Travis.Matrix;

/// <summary>
/// A jobs.exclude or jobs.allow_failures entry: the keys a job must match (§B9 step 7, allow_failures), its env entries
/// apart (compared without the global env), and its optional <c>if:</c>, which decides whether the entry applies.
/// </summary>
/// <param name="Env">The entry's env entries; null when it has no <c>env</c> key.</param>
internal sealed record MatchEntry(MapNode At, KeyedNodes Keys, IReadOnlyList<Node>? Env, ScalarNode? If)
{
    public static MatchEntry Read(MapNode map, ErrorList errors)
    {
        var keys = EntryReader.Read(map, errors);
        IReadOnlyList<Node>? env = null;
        if (keys.Get(MatrixKeys.Env) is { } value)
        {
            env = EnvSection.Entries(value);
            keys.Remove(MatrixKeys.Env);
        }

        var condition = Condition(keys, errors);
        keys.Remove("if");
        return new(map, keys, env, condition);
    }

    /// <summary>The <c>if:</c> of an entry, which must be a condition string (an error, and no condition, otherwise).</summary>
    public static ScalarNode? Condition(KeyedNodes keys, ErrorList errors)
    {
        switch (keys.Get("if"))
        {
            case null:
                return null;
            case ScalarNode { IsNull: false } condition:
                return condition;
            case var other:
                errors.Add(other, $"if must be a condition such as 'branch = master', found {other.Describe()}");
                return null;
        }
    }
}
