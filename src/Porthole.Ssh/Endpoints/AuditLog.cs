using System.Text;

namespace Porthole.Ssh.Endpoints;

/// <summary>Reads the lines the attach script appended to the audit log since the last read. Thread-safe.</summary>
internal sealed class AuditLog(string path)
{
    private readonly Lock _gate = new();
    private long _offset;

    public IReadOnlyList<AuditLine> ReadNew()
    {
        lock (_gate)
        {
            string text;
            try
            {
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                if (stream.Length <= _offset)
                {
                    return [];
                }

                stream.Seek(_offset, SeekOrigin.Begin);
                var buffer = new byte[stream.Length - _offset];
                var read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);

                // Only whole lines are taken; a line being written is read again next time.
                var end = Array.LastIndexOf(buffer, (byte)'\n', read - 1);
                if (end < 0)
                {
                    return [];
                }

                _offset += end + 1;
                text = Encoding.UTF8.GetString(buffer, 0, end + 1);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return [];
            }

            var entries = new List<AuditLine>();
            foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                if (AuditLine.TryParse(line, out var entry))
                {
                    entries.Add(entry);
                }
            }

            return entries;
        }
    }
}
