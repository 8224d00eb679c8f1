using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.Travis.Matrix;

/// <summary>
/// One job of a Travis build as the build matrix makes it (§B9). <see cref="Config"/> is the job's whole config: the
/// root's shared keys, the first value of every axis it does not set, one value per matrix key, and <c>env</c> as a list
/// of entries with the global ones first; keys the job's language or os does not support are gone, and key and value
/// aliases are Travis's canonical names (<c>ruby:</c> is <c>rvm:</c>, <c>language: js</c> is <c>node_js</c>).
/// </summary>
/// <param name="Config">The job's config: a new map, every key one plain value.</param>
/// <param name="GlobalEnv">The <c>env.global</c> entries, so env can be compared without them (§B9 step 7).</param>
/// <param name="Stage">Its stage's name as <see cref="TravisBuild.Stages"/> spells it; <c>test</c> when the build has no stages.</param>
/// <param name="AllowFailure">An allow_failures entry matched it, or its include entry says <c>allow_failure: true</c>.</param>
/// <param name="Name">The include entry's <c>name:</c>.</param>
/// <param name="At">The include entry it came from, or the root for a job of the expansion; errors about the job point here.</param>
internal sealed record TravisJobConfig(
    MapNode Config,
    IReadOnlyList<Node> GlobalEnv,
    string Stage,
    bool AllowFailure,
    string? Name,
    Node At);
