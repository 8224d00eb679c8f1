using Porthole.Execution.Sections;

namespace Porthole.Ssh.Endpoints;

/// <summary>"Wait for SSH", the last section: keeps the node while the Wait for SSH rules say so (R-SSH-8), then ends sshd and every session.</summary>
internal sealed class WaitForSshSection(NodeSshEndpoint endpoint) : INodeSection
{
    public string Name => "Wait for SSH";

    public Task<NodeSectionResult> RunAsync(NodeSectionContext context, CancellationToken canceled)
    {
        ArgumentNullException.ThrowIfNull(context);
        return endpoint.WaitAsync(context, canceled);
    }
}
