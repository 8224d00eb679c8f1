namespace Porthole.Pipeline.Travis.Conditions;

/// <summary>Why a condition does not parse: a one-line message that ends with the offset, and the 0-based offset in the condition's text.</summary>
internal sealed record ConditionSyntaxError(string Message, int Offset);
