using Porthole.Contracts.Ssh;

namespace Porthole.Ssh.Endpoints;

/// <summary>
/// Where a node's SSH endpoint reports to; the runner implements it and passes everything on to the server.
/// Calls come one at a time, in the order things happened.
/// </summary>
public interface ISshEventSink
{
    /// <summary>sshd listens: the connection details of the node (R-SSH-3); called again when the keys it accepts changed.</summary>
    Task EndpointReadyAsync(SshEndpointInfo endpoint);

    /// <summary>A key offered (accepted or refused), a session started or ended (R-SSH-4, R-SSH-10).</summary>
    Task EventAsync(SshEvent sshEvent);

    /// <summary>A step failed and the node is held for SSH (R-BEY-1): its result is <paramref name="held"/> from now on.</summary>
    Task NodeHeldAsync(Contracts.Runners.NodeCompletion held);

    /// <summary>When the node's SSH wait ends now (R-BEY-4); called whenever that changes.</summary>
    Task WindowAsync(SshWindow window);

    /// <summary>
    /// A session's recording (R-BEY-2): an asciicast v2 file at <paramref name="castPath"/>, masked, there until this
    /// returns, to keep with the job's data. Unlike the other calls it may come beside them (an upload takes a while).
    /// </summary>
    Task RecordingAsync(Contracts.Runners.SessionRecordingFile recording, string castPath);
}
