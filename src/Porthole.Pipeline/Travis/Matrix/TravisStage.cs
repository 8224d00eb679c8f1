using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.Travis.Matrix;

/// <summary>A build stage (§B10): its name as first written (in <c>stages:</c>, else on a job), and where; null for the default <c>test</c>.</summary>
internal sealed record TravisStage(string Name, Node? At);
