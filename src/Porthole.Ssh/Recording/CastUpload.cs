using Porthole.Contracts.Runners;
using Porthole.Execution.StepHandlers;
using Porthole.Ssh.Endpoints;

namespace Porthole.Ssh.Recording;

/// <summary>Who a recording belongs to, as the node's grants name the connection's key, and how it connected.</summary>
internal sealed record RecordingOwner(string UserName, string Fingerprint, string Via);

/// <summary>
/// Keeps one recording with the job (R-BEY-2): writes it into a file of the runner's (owner only), hashes it as it goes,
/// hands it to the sink with who and when, and deletes the file whatever happened. What both recorders share
/// (<see cref="SessionRecordings"/>, <see cref="DebugRecorder"/>).
/// </summary>
internal static class CastUpload
{
    /// <summary>
    /// Writes through <paramref name="write"/> (null from it: nothing to keep) and uploads. True once uploaded; false when
    /// there was nothing; a failure is given back as <paramref name="problem"/>, saying whose recording it was.
    /// </summary>
    public static async Task<(bool Uploaded, string? Problem)> KeepAsync(
        string castPath, Func<Stream, AsciicastSummary?> write, RecordingOwner owner, DateTimeOffset startedAt, ISshEventSink sink)
    {
        try
        {
            AsciicastSummary? summary;
            string digest;
            long size;
            await using (var cast = new HashingStream(
                new FileStream(castPath, new FileStreamOptions
                {
                    Mode = FileMode.Create,
                    Access = FileAccess.Write,
                    UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                    BufferSize = 1 << 16,
                }),
                long.MaxValue))
            {
                summary = write(cast);
                await cast.FlushAsync();
                digest = cast.Digest();
                size = cast.Length;
            }

            if (summary is null)
            {
                return (false, null);
            }

            await sink.RecordingAsync(
                new SessionRecordingFile(
                    digest,
                    size,
                    owner.UserName,
                    owner.Fingerprint,
                    owner.Via,
                    startedAt,
                    startedAt + TimeSpan.FromSeconds(summary.Seconds),
                    summary.Seconds,
                    summary.Truncated),
                castPath);
            return (true, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or HttpRequestException or StepFailedException)
        {
            return (false, $"the recording of {owner.UserName}'s session could not be kept: {e.Message}");
        }
        finally
        {
            Delete(castPath);
        }
    }

    /// <summary>Deletes a file of the node's folder; one already gone (or the folder with it) is fine.</summary>
    public static void Delete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
