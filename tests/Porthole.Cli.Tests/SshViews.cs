using System.Text.Json.Nodes;

namespace Porthole.Cli.Tests;

/// <summary>The JSON of <c>GET /api/jobs/{id}/ssh</c> (job 42, attempt 3, requested by ada) as the fake server answers it.</summary>
internal static class SshViews
{
    public static JsonObject Node(int index, string status, bool up, TestKey hostKey, string acceptedFingerprint, int port = 64537) => new()
    {
        ["index"] = index,
        ["status"] = status,
        ["host"] = up ? "127.0.0.1" : null,
        ["port"] = up ? port : null,
        ["user"] = up ? "root" : null,
        ["host_key"] = up ? hostKey.KeyOnly : null,
        ["host_key_fingerprint"] = up ? hostKey.Fingerprint : null,
        ["accepted_fingerprints"] = new JsonArray(acceptedFingerprint),
        ["command"] = up ? $"ssh -p {port} root@127.0.0.1" : null,
    };

    public static JsonObject KeyEvent(string fingerprint, bool accepted, string? reason, string? user) => new()
    {
        ["at"] = "2025-11-23T04:16:09Z",
        ["node"] = 0,
        ["accepted"] = accepted,
        ["fingerprint"] = fingerprint,
        ["key_type"] = "ED25519",
        ["address"] = "10.0.0.5",
        ["user"] = user,
        ["reason"] = reason,
    };

    public static string View(params JsonObject[] nodes) => View(nodes, []);

    public static string View(JsonObject[] nodes, JsonObject[] keyEvents) => new JsonObject
    {
        ["job_id"] = 42,
        ["attempt"] = 3,
        ["requested_by"] = "ada",
        ["nodes"] = new JsonArray([.. nodes.Select(n => (JsonNode)n.DeepClone())]),
        ["key_events"] = new JsonArray([.. keyEvents.Select(e => (JsonNode)e.DeepClone())]),
        ["sessions"] = new JsonArray(),
    }.ToJsonString();
}
