using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Porthole.Execution.Docker.Entry;

/// <summary>What the filter made of one request: a refusal, or the request to send to the engine instead.</summary>
internal abstract record EntryDecision;

/// <summary>An answer to the client, never the engine's: <c>{"message":"porthole: REASON"}</c>, which the docker CLI prints.</summary>
/// <param name="Reason">Words of ours, with at most the client's own method, path or ids; never a variable's value.</param>
internal sealed record EntryRefusal(int Status, string Reason) : EntryDecision
{
    // Read by people in a terminal, never put into HTML: quotes and apostrophes stay as they are.
    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public byte[] Response()
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["message"] = "porthole: " + Reason }, Json);
        var head = $"HTTP/1.1 {Status} {Phrase(Status)}\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n";
        return [.. Encoding.ASCII.GetBytes(head), .. body];
    }

    private static string Phrase(int status) => status switch
    {
        400 => "Bad Request",
        403 => "Forbidden",
        408 => "Request Timeout",
        411 => "Length Required",
        413 => "Content Too Large",
        431 => "Request Header Fields Too Large",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Error",
    };
}

/// <summary>
/// A request written anew for the engine from the checked parts only: its own Host, the client's User-Agent, a JSON body
/// with its length, and <c>Connection: close</c> (so the client's next request comes on a new connection, through the
/// filter again) unless an attached exec start asks to upgrade.
/// </summary>
/// <param name="TakesOver">An attached exec start: the engine takes the connection over and streams the exec both ways.</param>
internal sealed record EntryForward(string Method, string Target, string? UserAgent, byte[]? Body, bool TakesOver, bool Upgrade) : EntryDecision
{
    /// <summary>An exec create: its answer carries the id of the exec made, which the filter notes.</summary>
    public bool MakesExec { get; init; }

    public byte[] Request()
    {
        var head = new StringBuilder()
            .Append(Method).Append(' ').Append(Target).Append(" HTTP/1.1\r\n")
            .Append("Host: docker\r\n")
            .Append("User-Agent: ").Append(UserAgent ?? "porthole-entry").Append("\r\n");
        if (Body is not null)
        {
            head.Append(Body.Length > 0 ? "Content-Type: application/json\r\n" : "").Append("Content-Length: ").Append(Body.Length).Append("\r\n");
        }

        head.Append(Upgrade ? "Connection: Upgrade\r\nUpgrade: tcp\r\n" : "Connection: close\r\n").Append("\r\n");
        return [.. Encoding.ASCII.GetBytes(head.ToString()), .. Body ?? []];
    }

    // A record prints its members; the body of an exec create holds the job's secrets.
    public override string ToString() => $"EntryForward {{ {Method} {Target} }}";
}
