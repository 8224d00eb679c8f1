using Porthole.Contracts.Runners;
using Porthole.Contracts.Ssh;
using Porthole.Ssh.Endpoints;

namespace Porthole.Runner;

/// <summary>Passes a node's SSH endpoint details and events on to the server.</summary>
public sealed class RunnerSshSink(IRunnerProtocol server, long nodeId, TimeProvider time) : ISshEventSink
{
    public Task EndpointReadyAsync(SshEndpointInfo endpoint) => server.ReportSshEndpointAsync(nodeId, endpoint, CancellationToken.None);

    public Task EventAsync(SshEvent sshEvent) => server.ReportSshEventAsync(nodeId, sshEvent, CancellationToken.None);

    public Task NodeHeldAsync(NodeCompletion held) => server.HoldNodeAsync(nodeId, held, CancellationToken.None);

    public Task WindowAsync(SshWindow window) => server.ReportSshWindowAsync(nodeId, window, CancellationToken.None);

    /// <summary>Uploads the recording's file as a blob of the node, then names it the session's recording.</summary>
    public async Task RecordingAsync(SessionRecordingFile recording, string castPath)
    {
        ArgumentNullException.ThrowIfNull(recording);
        await Execution.StepHandlers.RunnerFileUpload.UploadAsync(server, nodeId, castPath, recording.Digest, recording.Size, time, CancellationToken.None);
        await server.StoreRecordingAsync(nodeId, recording, CancellationToken.None);
    }
}
