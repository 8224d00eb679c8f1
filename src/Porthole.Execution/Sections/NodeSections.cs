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

    /// <summary>
    /// A breakpoint's section (R-BEY-4): run before step <see cref="BreakBefore"/>, or after the first step that fails with
    /// <see cref="BreakOnFailure"/>, once. When it ends by itself without skipping the steps (<c>porthole-continue</c>),
    /// the steps left run as usual; when it skips them, they are skipped.
    /// </summary>
    public INodeSection? Break { get; init; }

    public int? BreakBefore { get; init; }

    public bool BreakOnFailure { get; init; }
}
