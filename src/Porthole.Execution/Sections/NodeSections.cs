namespace Porthole.Execution.Sections;

/// <summary>The sections a runner adds to one node: before its first step and after its last.</summary>
public sealed record NodeSections(IReadOnlyList<INodeSection> Before, IReadOnlyList<INodeSection> After)
{
    public static NodeSections None { get; } = new([], []);
}
