using System.Runtime.CompilerServices;
using System.Text;

namespace Porthole.Cli.Client;

/// <summary>One server-sent event: its <c>event:</c> name (<c>message</c> when none) and its <c>data:</c> lines joined by newlines.</summary>
public sealed record ServerSentEvent(string Event, string Data);

/// <summary>Reads a <c>text/event-stream</c> as events arrive (the WHATWG format: fields, comments, blank-line dispatch).</summary>
public static class ServerSentEvents
{
    public static async IAsyncEnumerable<ServerSentEvent> ReadAsync(Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(stream, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: false, bufferSize: 8192, leaveOpen: true);
        string? name = null;
        var data = new StringBuilder();
        var hasData = false;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                if (hasData)
                {
                    yield return new ServerSentEvent(string.IsNullOrEmpty(name) ? "message" : name, data.ToString());
                }

                name = null;
                data.Clear();
                hasData = false;
                continue;
            }

            if (line[0] == ':')
            {
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? "" : line[(colon + 1)..];
            if (value.StartsWith(' '))
            {
                value = value[1..];
            }

            switch (field)
            {
                case "event":
                    name = value;
                    break;
                case "data":
                    if (hasData)
                    {
                        data.Append('\n');
                    }

                    data.Append(value);
                    hasData = true;
                    break;
                default:
                    break;
            }
        }

        // An event not closed by a blank line when the stream ends is incomplete and is dropped, as the format says.
    }
}
