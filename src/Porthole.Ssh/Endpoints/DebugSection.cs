using Porthole.Execution.Sections;

namespace Porthole.Ssh.Endpoints;

/// <summary>"Debug", the section of a debug build (R-DBG-2): instead of the steps, a shared tmux session to run them by hand.</summary>
internal sealed class DebugSection(DebugRun run) : INodeSection
{
    public string Name => "Debug";

    public Task<NodeSectionResult> RunAsync(NodeSectionContext context, CancellationToken canceled)
    {
        ArgumentNullException.ThrowIfNull(context);
        return run.RunAsync(context, canceled);
    }
}
