using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.Travis.Matrix;

/// <summary>
/// A job while the build is computed: its keys in Travis's order, its env entries apart (null until it has an
/// <c>env</c> key), where it came from, and what stages and allow_failures decide for it.
/// </summary>
internal sealed class MatrixJob(Node at, KeyedNodes keys)
{
    public Node At { get; } = at;

    public KeyedNodes Keys { get; set; } = keys;

    /// <summary>The env entries; null when the job has no env key at all (then it gets the first env.jobs entry, §B9 step 6).</summary>
    public IReadOnlyList<Node>? Env { get; set; }

    /// <summary>Where the job's env was written: the include entry's env, or the root's.</summary>
    public Node? EnvAt { get; set; }

    /// <summary>The stage the job names or was given, spelled as on the job (§B10).</summary>
    public string? StageName => Keys.Get("stage") is ScalarNode { IsNull: false } stage ? stage.Value : null;

    /// <summary>The stage of <see cref="TravisBuild.Stages"/> the job runs in, once stages are assigned.</summary>
    public string? Stage { get; set; }

    public bool AllowFailure { get; set; }

    /// <summary>The job's config as one map: its keys, then its env as a list.</summary>
    public MapNode ToConfig()
    {
        var entries = Keys.Entries.ToList();
        if (Env is not null)
        {
            var at = EnvAt ?? At;
            entries.Add(NodeFactory.Entry(at.Start, MatrixKeys.Env, NodeFactory.List(at.Start, Env, at.Via), at.Via));
        }

        return NodeFactory.Map(At.Start, entries, At.Via);
    }
}
