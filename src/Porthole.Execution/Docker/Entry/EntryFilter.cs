using System.Collections.Concurrent;
using System.Globalization;

namespace Porthole.Execution.Docker.Entry;

/// <summary>
/// The allowlist of a node's entry: what the docker CLI's <c>exec</c> needs (ping, version, inspecting this container,
/// creating an exec in it, and starting, resizing and inspecting the execs made through this entry), nothing else.
/// </summary>
/// <remarks>
/// An exec must have been made through this entry (its create's answer is read for the id), not only belong to the
/// container: the runner's own execs (steps, commands as root) are listed in the container's inspect, and starting one
/// first would attach to it.
/// </remarks>
/// <param name="execContainer">The id of the container an exec belongs to, as the engine says; null when there is no such exec.</param>
internal sealed class EntryFilter(EntryRules rules, Func<string, CancellationToken, Task<string?>> execContainer)
{
    public const int MaxBody = 1024 * 1024;

    private readonly ConcurrentDictionary<string, bool> _made = new(StringComparer.Ordinal);

    /// <summary>Notes an exec the engine made for a create this filter let through.</summary>
    public void Made(string execId) => _made.TryAdd(execId, true);

    /// <summary>How long the request's body is, or the refusal of its framing (chunked, repeated or oversized lengths).</summary>
    public static int? BodyLength(HttpRequestHead head, out EntryRefusal? refusal)
    {
        refusal = null;
        if (head.Count("Transfer-Encoding") > 0)
        {
            refusal = head.HasToken("Transfer-Encoding", "chunked")
                ? new EntryRefusal(411, "a request body must be sent with a Content-Length, not chunked")
                : new EntryRefusal(400, "a request body must be sent with a Content-Length");
            return null;
        }

        var count = head.Count("Content-Length");
        if (count == 0)
        {
            return 0;
        }

        var text = head.Value("Content-Length")!;
        if (count > 1 || text.Length is 0 or > 10 || !text.All(char.IsAsciiDigit))
        {
            refusal = new EntryRefusal(400, "the request's Content-Length is not one number");
            return null;
        }

        var length = long.Parse(text, CultureInfo.InvariantCulture);
        if (length > MaxBody)
        {
            refusal = new EntryRefusal(413, $"a request body may be at most {MaxBody} bytes");
            return null;
        }

        return (int)length;
    }

    public async Task<EntryDecision> DecideAsync(HttpRequestHead head, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        if (EntryTarget.Parse(head.Target, out var problem) is not { } target)
        {
            return new EntryRefusal(403, problem!);
        }

        var refused = new EntryRefusal(
            403,
            $"this socket only lets you exec into the node's container {rules.ContainerName}; {head.Method} {target.Path} is not allowed");
        return (head.Method, target.Segments) switch
        {
            ("GET" or "HEAD", ["_ping"]) => Plain(head, target, ["_ping"], []),
            ("GET", ["version"]) => Plain(head, target, ["version"], []),
            ("GET", ["containers", var reference, "json"]) => Container(reference) ?? Plain(head, target, ["containers", rules.ContainerId, "json"], ["size"]),
            ("POST", ["containers", var reference, "exec"]) => Container(reference) ?? CreateExec(head, target, body),
            ("POST", ["exec", var id, "start"]) => await Exec(id, cancellationToken) ?? StartExec(head, target, id, body),
            ("POST", ["exec", var id, "resize"]) => await Exec(id, cancellationToken) ?? Plain(head, target, ["exec", id, "resize"], ["h", "w"]),
            ("GET", ["exec", var id, "json"]) => await Exec(id, cancellationToken) ?? Plain(head, target, ["exec", id, "json"], []),
            _ => refused,
        };
    }

    private EntryRefusal? Container(string reference) =>
        // The engine's inspect gives names with a leading slash; the CLI is given them without.
        reference == rules.ContainerId || reference == rules.ContainerName.TrimStart('/')
            ? null
            : new EntryRefusal(403, $"'{reference}' is not this node's container: exec into {rules.ContainerName} (or its full id)");

    private async Task<EntryRefusal?> Exec(string id, CancellationToken cancellationToken)
    {
        // Exec ids are 64 lowercase hex digits; anything else is not looked up (nor put into a path of our own).
        if (id.Length != 64 || !id.All(char.IsAsciiHexDigitLower))
        {
            return new EntryRefusal(403, $"'{id}' is not an exec id");
        }

        if (!_made.ContainsKey(id))
        {
            return new EntryRefusal(403, $"exec {id} was not made through this socket");
        }

        string? owner;
        try
        {
            owner = await execContainer(id, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new EntryRefusal(502, $"the Docker engine did not say whose exec {id} is: {DockerEngine.Reason(e)}");
        }

        return owner == rules.ContainerId ? null : new EntryRefusal(403, $"exec {id} does not belong to this node's container");
    }

    // A request sent on as it came, without a body, to the path made of these segments (the container named by its id).
    private static EntryDecision Plain(HttpRequestHead head, EntryTarget target, string[] segments, string[] query) =>
        target.QueryProblem(query) is { } problem
            ? new EntryRefusal(403, problem)
            : new EntryForward(head.Method, target.Build(segments), UserAgent(head), head.Method == "POST" ? [] : null, TakesOver: false, Upgrade: false);

    private EntryDecision CreateExec(HttpRequestHead head, EntryTarget target, ReadOnlyMemory<byte> body)
    {
        if (target.QueryProblem() is { } queryProblem)
        {
            return new EntryRefusal(403, queryProblem);
        }

        return ExecBodies.RewriteCreate(body, rules, out var problem) is { } rewritten
            ? new EntryForward("POST", target.Build("containers", rules.ContainerId, "exec"), UserAgent(head), rewritten, TakesOver: false, Upgrade: false)
            {
                MakesExec = true,
            }
            : new EntryRefusal(400, problem!);
    }

    private static EntryDecision StartExec(HttpRequestHead head, EntryTarget target, string id, ReadOnlyMemory<byte> body)
    {
        if (target.QueryProblem() is { } queryProblem)
        {
            return new EntryRefusal(403, queryProblem);
        }

        if (ExecBodies.RewriteStart(body, out var problem) is not var (rewritten, detach))
        {
            return new EntryRefusal(400, problem!);
        }

        // Attached, the engine takes the connection over (101, or 200 with a raw stream) and streams it both ways.
        var upgrade = !detach && head.HasToken("Connection", "upgrade") && string.Equals(head.Value("Upgrade"), "tcp", StringComparison.OrdinalIgnoreCase);
        return new EntryForward("POST", target.Build("exec", id, "start"), UserAgent(head), rewritten, TakesOver: !detach, upgrade);
    }

    private static string? UserAgent(HttpRequestHead head) => head.Value("User-Agent");
}
