namespace Porthole.Pipeline.Travis;

/// <summary>
/// One <c>NAME=value</c> word of a Travis env string. <see cref="Value"/> has its quotes removed (and
/// <c>$VAR</c> left as written); <see cref="Raw"/> is the word as written, which the phase scripts export
/// so the shell expands it exactly as Travis does.
/// </summary>
internal sealed record EnvWord(string Name, string Value, string Raw);
