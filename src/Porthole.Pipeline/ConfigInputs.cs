using Porthole.Pipeline.Orbs;

namespace Porthole.Pipeline;

/// <summary>What a config is compiled with besides its text: the trigger's values and where registry orbs come from.</summary>
public sealed record ConfigInputs
{
    public static ConfigInputs None { get; } = new();

    public PipelineValues Values { get; init; } = PipelineValues.None;

    /// <summary>Where <c>ns/name@version</c> orbs are looked up; null: no store, so every registry orb is refused by name.</summary>
    public IOrbSource? Orbs { get; init; }
}
