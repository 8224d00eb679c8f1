using System.Text;

namespace Porthole.Ssh.Endpoints;

/// <summary>Reads what was appended to a file since the last read, whole characters only, into the Debug section's log.</summary>
/// <param name="separate">What it reads starts on a line of its own.</param>
internal sealed class LogTail(string path, bool separate)
{
    private readonly Decoder _decoder = new UTF8Encoding(false).GetDecoder();
    private readonly byte[] _buffer = new byte[16 * 1024];
    private long _offset;

    public async Task PumpAsync(DebugLog log)
    {
        try
        {
            // Never through a link or into a device: a container's root may have replaced a file of its scratch folder.
            await using var stream = Execution.Processes.RegularFile.OpenRead(path);
            if (stream is null)
            {
                return;
            }

            stream.Seek(_offset, SeekOrigin.Begin);
            int read;
            while ((read = await stream.ReadAsync(_buffer)) > 0)
            {
                _offset += read;
                var chars = new char[_decoder.GetCharCount(_buffer, 0, read)];
                _decoder.GetChars(_buffer, 0, read, chars, 0);
                await log.WriteAsync(new string(chars), newLine: separate);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not there (yet, or any more): nothing to forward.
        }
    }
}
