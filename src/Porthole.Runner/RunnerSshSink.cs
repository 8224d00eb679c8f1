using Porthole.Contracts.Runners;
using Porthole.Contracts.Ssh;
using Porthole.Ssh.Endpoints;

namespace Porthole.Runner;

/// <summary>Passes a node's SSH endpoint details and events on to the server.</summary>
public sealed class RunnerSshSink(IRunnerProtocol server, long nodeId) : ISshEventSink
{
    public Task EndpointReadyAsync(SshEndpointInfo endpoint) => server.ReportSshEndpointAsync(nodeId, endpoint, CancellationToken.None);

    public Task EventAsync(SshEvent sshEvent) => server.ReportSshEventAsync(nodeId, sshEvent, CancellationToken.None);

    public Task NodeHeldAsync(NodeCompletion held) => server.HoldNodeAsync(nodeId, held, CancellationToken.None);

    public Task WindowAsync(SshWindow window) => server.ReportSshWindowAsync(nodeId, window, CancellationToken.None);
}
