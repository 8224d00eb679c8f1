using System.Globalization;
using System.Text.RegularExpressions;

namespace Porthole.Cli.Client;

/// <summary>
/// Saves one session recording (<c>porthole recordings JOB --download ID</c>): streamed to a hidden file beside its place,
/// its byte count checked against the answer's length, then renamed into place, so a broken download leaves nothing under
/// the file's name. An existing file is replaced only when asked (<c>--force</c>).
/// </summary>
public static partial class RecordingDownload
{
    private const int BufferSize = 1 << 16;

    /// <summary>The file written and its size.</summary>
    public sealed record Saved(string Path, long Size);

    /// <param name="output">The file to write, or a folder to write it in; null: the current folder.</param>
    public static async Task<Saved> SaveAsync(
        PortholeClient client, long jobId, long recordingId, int? attempt, string? output, bool force, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (output is { Length: 0 })
        {
            throw CliException.Usage("--output needs a file name, as in --output session.cast");
        }

        var query = attempt is { } a ? string.Create(CultureInfo.InvariantCulture, $"?attempt={a}") : "";
        using var response = await client.OpenAsync(PortholeClient.Path("jobs", jobId, "recordings", recordingId) + query, accept: null, cancellationToken);
        var name = ServerFileName(response) ?? string.Create(CultureInfo.InvariantCulture, $"job-{jobId}-session-{recordingId}.cast");
        var target = output is null ? name : Directory.Exists(output) ? Path.Combine(output, name) : output;
        if (!force && Exists(target))
        {
            throw new CliException($"{target} exists already: pass --force to replace it, or --output to write another file; nothing was downloaded");
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(target))!;
        if (!Directory.Exists(folder))
        {
            throw new CliException($"{target} cannot be written: the folder {folder} does not exist");
        }

        var partial = Path.Combine(folder, $".porthole-download-{Guid.NewGuid():N}");
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
                received = await CopyAsync(client, body, file, recordingId, cancellationToken);
            }

            if (response.Content.Headers.ContentLength is { } length && length != received)
            {
                throw new CliException($"session recording {recordingId}: the server sent {received} of the {length} bytes it announced; not kept");
            }

            Move(partial, target, force);
            return new Saved(target, received);
        }
        catch
        {
            File.Delete(partial);
            throw;
        }
    }

    /// <summary>The file name the server gives (<c>Content-Disposition</c>), when it is a plain name (no folder, no leading dot).</summary>
    private static string? ServerFileName(HttpResponseMessage response)
    {
        var disposition = response.Content.Headers.ContentDisposition;
        var name = (disposition?.FileNameStar ?? disposition?.FileName)?.Trim('"');
        return name is not null && SafeFileName().IsMatch(name) ? name : null;
    }

    private static bool Exists(string path) => File.Exists(path) || Directory.Exists(path) || new FileInfo(path).LinkTarget is not null;

    private static void Move(string partial, string target, bool force)
    {
        try
        {
            File.Move(partial, target, overwrite: force);
        }
        catch (IOException) when (!force && Exists(target))
        {
            throw new CliException($"{target} was made while the recording downloaded: pass --force to replace it; nothing was written to it");
        }
    }

    private static async Task<long> CopyAsync(PortholeClient client, Stream from, Stream to, long recordingId, CancellationToken cancellationToken)
    {
        var buffer = new byte[BufferSize];
        long total = 0;
        while (true)
        {
            int read;
            try
            {
                read = await from.ReadAsync(buffer, cancellationToken);
            }
            catch (Exception e) when (e is HttpRequestException or HttpIOException or IOException)
            {
                throw new ServerUnreachableException(
                    client.Server.Display, $"the download of session recording {recordingId} broke off after {total} bytes: {e.Message}; not kept", e);
            }

            if (read == 0)
            {
                return total;
            }

            await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            total += read;
        }
    }

    [GeneratedRegex(@"\A[A-Za-z0-9_-][A-Za-z0-9._-]{0,200}\z", RegexOptions.CultureInvariant)]
    private static partial Regex SafeFileName();
}
