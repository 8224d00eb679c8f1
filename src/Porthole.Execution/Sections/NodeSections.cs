namespace Porthole.Execution.Sections;

/// <summary>
/// The sections a runner adds to one node: before its first step and after its last. With <see cref="OnFailureOnly"/>
/// (a node held on failure, R-BEY-1) the sections after the steps run only when a step fails: the steps stop there,
/// the rest are skipped, and the sections follow at that point; a node whose steps pass never shows them.
/// </summary>
public sealed record NodeSections(IReadOnlyList<INodeSection> Before, IReadOnlyList<INodeSection> After)
{
    public static NodeSections None { get; } = new([], []);

    public bool OnFailureOnly { get; init; }
}
