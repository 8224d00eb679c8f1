using Porthole.Execution.Sections;

namespace Porthole.Ssh.Endpoints;

/// <summary>"Enable SSH", the first section of a node asked for with SSH: starts sshd and prints how to connect (R-SSH-3).</summary>
internal sealed class EnableSshSection(NodeSshEndpoint endpoint) : INodeSection
{
    public string Name => "Enable SSH";

    public Task<NodeSectionResult> RunAsync(NodeSectionContext context, CancellationToken canceled)
    {
        ArgumentNullException.ThrowIfNull(context);
        return endpoint.EnableAsync(context, canceled);
    }
}
