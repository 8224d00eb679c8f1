using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.Travis.Matrix;

/// <summary>
/// Decides a Travis <c>if:</c> condition (§B11): the condition's text, the node it is written at, and the job's merged
/// config (null for a stage's condition, which Travis evaluates against the root config). True keeps the job or stage,
/// or applies the exclude or allow_failures entry; false skips it. The caller reports conditions that do not parse.
/// </summary>
internal delegate bool ConditionCheck(string condition, Node at, MapNode? job);
