using Porthole.Contracts.Runners;

namespace Porthole.Execution.StepHandlers;

/// <summary>
/// Uploads a finished file of the runner's as a blob of a node (a session's recording, R-BEY-2), by the protocol's offsets
/// and retries as a step's archives go (<see cref="BlobTransfer"/>).
/// </summary>
public static class RunnerFileUpload
{
    /// <exception cref="StepFailedException">The server refused the blob (its reason), or did not answer after retries.</exception>
    public static Task UploadAsync(IRunnerProtocol server, long nodeId, string path, string digest, long size, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(path);
        return new BlobTransfer(server, nodeId, time).UploadAsync(offset => OpenAt(path, offset), digest, size, cancellationToken);
    }

    private static FileStream OpenAt(string path, long offset)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        stream.Seek(offset, SeekOrigin.Begin);
        return stream;
    }
}
