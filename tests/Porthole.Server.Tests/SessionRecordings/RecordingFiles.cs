using System.Security.Cryptography;
using System.Text;
using Porthole.Contracts.Runners;
using Porthole.Contracts.Ssh;
using Porthole.Server.Tests.JobData;

namespace Porthole.Server.Tests.SessionRecordings;

/// <summary>Session recordings as a node would store them: an asciicast v2 file uploaded as a blob, then named.</summary>
internal static class RecordingFiles
{
    public static readonly DateTimeOffset Morning = new(2026, 12, 7, 9, 30, 15, TimeSpan.Zero);

    /// <summary>A small asciicast v2 file: its header, then one output event per line of <paramref name="typed"/>.</summary>
    public static byte[] Asciicast(string typed)
    {
        var text = new StringBuilder("{\"version\": 2, \"width\": 80, \"height\": 24, \"timestamp\": 1796635815}\n");
        var at = 0.25;
        foreach (var line in typed.Split('\n'))
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"[{at:0.000}, \"o\", \"{line}\\r\\n\"]\n");
            at += 1.5;
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>A key fingerprint as ssh-keygen prints it, made from <paramref name="seed"/>.</summary>
    public static string Fingerprint(string seed) =>
        "SHA256:" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(seed))).TrimEnd('=');

    /// <summary>The file's fields for <paramref name="bytes"/>, a session of <paramref name="user"/> over ssh starting at <paramref name="startedAt"/>.</summary>
    public static SessionRecordingFile File(
        byte[] bytes, string user = "admin", DateTimeOffset? startedAt = null, double seconds = 42.5, bool truncated = false, string via = SshVia.Ssh)
    {
        var started = startedAt ?? Morning;
        return new SessionRecordingFile(
            JobDataServer.Digest(bytes), bytes.Length, user, Fingerprint(user), via, started, started.AddSeconds(seconds + 1), seconds, truncated);
    }

    /// <summary>Uploads <paramref name="bytes"/> for the node and names it as one recording; returns what was stored.</summary>
    public static async Task<SessionRecordingFile> StoreAsync(JobDataServer server, NodeAssignment node, byte[] bytes, SessionRecordingFile? recording = null)
    {
        await server.UploadAsync(node, bytes);
        recording ??= File(bytes);
        await server.Runner.StoreRecordingAsync(node.NodeId, recording, CancellationToken.None);
        return recording;
    }
}
