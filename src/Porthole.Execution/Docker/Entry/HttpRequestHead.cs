using System.Text;

namespace Porthole.Execution.Docker.Entry;

/// <summary>
/// One HTTP/1.1 request head, parsed strictly: <c>METHOD SP TARGET SP HTTP/1.1</c>, then <c>Name: value</c> lines, every
/// line ended by CRLF. Anything a lenient server might read differently from us (a bare CR or LF, folded lines, space
/// before a colon, control or non-ASCII bytes) is refused rather than guessed at, so the engine never sees a request the
/// filter did not.
/// </summary>
internal sealed class HttpRequestHead
{
    private const int MaxHeaders = 100;
    private const int MaxMethodLength = 16;

    private HttpRequestHead(string method, string target, List<KeyValuePair<string, string>> headers)
    {
        Method = method;
        Target = target;
        Headers = headers;
    }

    public string Method { get; }

    /// <summary>The request target as sent (origin form: a path, maybe a query); visible ASCII only.</summary>
    public string Target { get; }

    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    /// <summary>Parses a head that ends in CRLF CRLF; null, with the problem in a few words, when it is not a valid one.</summary>
    public static HttpRequestHead? Parse(ReadOnlySpan<byte> head, out string? problem)
    {
        problem = null;
        if (!head.EndsWith("\r\n\r\n"u8))
        {
            problem = "the request head does not end in an empty line";
            return null;
        }

        var lines = head[..^4];
        var end = lines.IndexOf("\r\n"u8);
        var requestLine = end < 0 ? lines : lines[..end];
        var rest = end < 0 ? [] : lines[(end + 2)..];
        if (ParseRequestLine(requestLine, out problem) is not var (method, target))
        {
            return null;
        }

        var headers = new List<KeyValuePair<string, string>>();
        while (!rest.IsEmpty)
        {
            end = rest.IndexOf("\r\n"u8);
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? [] : rest[(end + 2)..];
            if (headers.Count == MaxHeaders)
            {
                problem = $"the request has more than {MaxHeaders} header lines";
                return null;
            }

            if (ParseHeader(line) is not { } header)
            {
                problem = "a header line is malformed (a name of token characters, a colon, a value of visible ASCII)";
                return null;
            }

            headers.Add(header);
        }

        return new HttpRequestHead(method, target, headers);
    }

    /// <summary>How many times a header is present (names compare case-insensitively).</summary>
    public int Count(string name) => Headers.Count(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The header's only value, or null when it is absent (callers check <see cref="Count"/> for repeats).</summary>
    public string? Value(string name) =>
        Headers.FirstOrDefault(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

    /// <summary>Whether a comma-separated header (Connection) lists a token, in any of its lines.</summary>
    public bool HasToken(string name, string token) =>
        Headers.Any(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)
            && h.Value.Split(',').Any(part => part.Trim().Equals(token, StringComparison.OrdinalIgnoreCase)));

    private static (string Method, string Target)? ParseRequestLine(ReadOnlySpan<byte> line, out string? problem)
    {
        problem = "the request line is not 'METHOD /path HTTP/1.1'";
        var first = line.IndexOf((byte)' ');
        var last = line.LastIndexOf((byte)' ');
        if (first <= 0 || last <= first + 1 || !line[(last + 1)..].SequenceEqual("HTTP/1.1"u8))
        {
            return null;
        }

        var method = line[..first];
        var target = line[(first + 1)..last];
        if (method.Length > MaxMethodLength || method.ContainsAnyExceptInRange((byte)'A', (byte)'Z'))
        {
            return null;
        }

        // Visible ASCII only: no spaces, controls or bytes a server might decode as something else.
        if (target[0] != (byte)'/' || target.ContainsAnyExceptInRange((byte)0x21, (byte)0x7E))
        {
            return null;
        }

        problem = null;
        return (Encoding.ASCII.GetString(method), Encoding.ASCII.GetString(target));
    }

    private static KeyValuePair<string, string>? ParseHeader(ReadOnlySpan<byte> line)
    {
        var colon = line.IndexOf((byte)':');
        if (colon <= 0)
        {
            return null;
        }

        var name = line[..colon];
        foreach (var b in name)
        {
            if (!IsTokenChar(b))
            {
                return null;
            }
        }

        var value = line[(colon + 1)..].Trim(" \t"u8);
        foreach (var b in value)
        {
            if (b is not ((>= 0x20 and <= 0x7E) or (byte)'\t'))
            {
                return null;
            }
        }

        return new(Encoding.ASCII.GetString(name), Encoding.ASCII.GetString(value));
    }

    // RFC 9110's tchar.
    private static bool IsTokenChar(byte b) =>
        b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9')
            or (byte)'!' or (byte)'#' or (byte)'$' or (byte)'%' or (byte)'&' or (byte)'\'' or (byte)'*' or (byte)'+'
            or (byte)'-' or (byte)'.' or (byte)'^' or (byte)'_' or (byte)'`' or (byte)'|' or (byte)'~';
}
