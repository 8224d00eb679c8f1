using Porthole.Contracts.Api;

namespace Porthole.Cli.Client;

/// <summary>
/// Downloads one artifact into a <see cref="DownloadFolder"/>: streamed to a hidden file beside its place, its byte count
/// checked against the listed size, then renamed into place (a rename replaces, never follows, whatever is there), so a
/// broken or short download leaves nothing under the artifact's name.
/// </summary>
public sealed class ArtifactDownloader(PortholeClient client, DownloadFolder folder)
{
    private const int BufferSize = 1 << 16;

    /// <summary>Downloads <paramref name="artifact"/> from <paramref name="url"/> and returns the file written.</summary>
    public async Task<string> DownloadAsync(ArtifactView artifact, Uri url, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        ArgumentNullException.ThrowIfNull(url);
        var target = folder.Place(artifact.NodeIndex, artifact.Path);
        folder.CreateFoldersFor(target, artifact.NodeIndex, artifact.Path);
        var partial = Path.Combine(Path.GetDirectoryName(target)!, $".porthole-download-{Guid.NewGuid():N}");
        using var response = await client.OpenAsync(url.AbsoluteUri, accept: null, cancellationToken);
        try
        {
            long received;
            var file = new FileStream(partial, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                Options = FileOptions.Asynchronous,
                BufferSize = 0,
            });
            await using (file)
            {
                await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
                received = await CopyAtMostAsync(body, file, artifact.Size + 1, artifact, cancellationToken);
            }

            if (received != artifact.Size)
            {
                var what = received > artifact.Size ? "more than" : $"{received} bytes, not";
                throw new CliException(
                    $"artifact '{DownloadFolder.Shown(artifact.Path)}' of node {artifact.NodeIndex}: the server sent {what} the {artifact.Size} bytes it listed; not kept");
            }

            // Place looked before the download; look again right before the rename, which would replace a link made since.
            folder.Place(artifact.NodeIndex, artifact.Path);
            File.Move(partial, target, overwrite: true);
            return target;
        }
        catch
        {
            File.Delete(partial);
            throw;
        }
    }

    /// <summary>Copies until the end or <paramref name="limit"/> bytes (so a server sending too much is stopped early); returns the count.</summary>
    private async Task<long> CopyAtMostAsync(Stream from, Stream to, long limit, ArtifactView artifact, CancellationToken cancellationToken)
    {
        var buffer = new byte[BufferSize];
        long total = 0;
        while (total < limit)
        {
            int read;
            try
            {
                read = await from.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, limit - total)), cancellationToken);
            }
            catch (HttpRequestException e)
            {
                throw BrokeOff(artifact, total, e);
            }
            catch (HttpIOException e)
            {
                throw BrokeOff(artifact, total, e);
            }

            if (read == 0)
            {
                break;
            }

            await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            total += read;
        }

        return total;
    }

    private ServerUnreachableException BrokeOff(ArtifactView artifact, long received, Exception e) =>
        new(client.Server.Display,
            $"the download of artifact '{DownloadFolder.Shown(artifact.Path)}' of node {artifact.NodeIndex} broke off after {received} of {artifact.Size} bytes: {e.Message}; not kept",
            e);
}
