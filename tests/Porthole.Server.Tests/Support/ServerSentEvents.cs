using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Porthole.Server.Tests.Support;

public static class ServerSentEvents
{
    /// <summary>The events of a stream as (name, data) pairs, in order.</summary>
    public static async IAsyncEnumerable<(string Name, JsonElement Data)> ReadAsync(TextReader reader, [EnumeratorCancellation] CancellationToken ct = default)
    {
        string? name = null;
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                name = line[7..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal) && name is not null)
            {
                yield return (name, JsonDocument.Parse(line[6..]).RootElement);
                name = null;
            }
        }
    }
}
