using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.CircleCi.Compiler;

/// <summary>
/// One job of a matrix: its parameter values in the order <c>parameters:</c> declares them (typed YAML nodes, bound
/// as job arguments), and the name it gets when the invocation sets no <c>name:</c>.
/// </summary>
internal sealed record MatrixInstance(IReadOnlyList<KeyValuePair<string, Node>> Values, string DefaultName);

/// <summary>
/// A workflow job invocation's <c>matrix:</c> (dialects.md §A2): the jobs it makes, in order, and the
/// <see cref="Alias"/> a <c>requires</c> uses to wait for all of them.
/// </summary>
internal sealed record MatrixSpec(IReadOnlyList<MatrixInstance> Instances, string Alias);
