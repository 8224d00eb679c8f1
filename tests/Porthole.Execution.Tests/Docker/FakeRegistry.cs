using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Docker.DotNet;
using Porthole.Contracts.Plans;

namespace Porthole.Execution.Tests.Docker;

/// <summary>
/// A registry such as Docker Hub, which this machine cannot reach: the pull side of the Registry HTTP API v2 on
/// 127.0.0.1 (plain HTTP, which dockerd allows on 127.0.0.0/8), serving one image made from a local one as
/// <see cref="Image"/>. Given a login, it answers every request without it 401 with a Basic challenge, as a private
/// registry does. It keeps every request it answered.
/// </summary>
internal sealed class FakeRegistry : IAsyncDisposable
{
    public const string Repository = "porthole-fake/busybox";
    public const string Tag = "1";

    private const string ManifestType = "application/vnd.docker.distribution.manifest.v2+json";
    private const int MaxHeadBytes = 16 * 1024;
    private static readonly TimeSpan ConnectionPatience = TimeSpan.FromSeconds(30);

    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly List<Request> _requests = [];
    private readonly List<Task> _connections = [];
    private readonly Dictionary<string, byte[]> _blobs;
    private readonly byte[] _manifest;
    private readonly string? _authorization;
    private Task _accepting = Task.CompletedTask;

    private FakeRegistry(Dictionary<string, byte[]> blobs, byte[] manifest, IReadOnlyList<string> layers, RegistryAuth? login)
    {
        _blobs = blobs;
        _manifest = manifest;
        ManifestDigest = Digest(manifest);
        Layers = layers;
        _authorization = login is null ? null : "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{login.Username}:{login.Password}"));
        _listener = new TcpListener(IPAddress.Loopback, 0);
    }

    /// <summary>The image's reference, by which the engine pulls it from here.</summary>
    public string Image => $"127.0.0.1:{Port}/{Repository}:{Tag}";

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string ManifestDigest { get; }

    /// <summary>The digests of the image's layers as served (of their gzip'd bytes), in the manifest's order.</summary>
    public IReadOnlyList<string> Layers { get; }

    public IReadOnlyList<Request> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>
    /// Serves the content of <paramref name="sourceImage"/> (from the engine's <c>docker save</c>) under a config and
    /// layer blobs of its own, so that the engine pulls every byte instead of finding the image, or its layers' blobs,
    /// among those it has.
    /// </summary>
    public static async Task<FakeRegistry> StartAsync(IDockerClient client, string sourceImage, RegistryAuth? login = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        var files = await SaveAsync(client, sourceImage);
        using var saved = JsonDocument.Parse(files["manifest.json"]);
        var entry = saved.RootElement[0];
        var config = JsonNode.Parse(files[entry.GetProperty("Config").GetString()!])!;
        var nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        config["config"]!["Labels"] = new JsonObject { ["porthole.fake-registry"] = nonce };
        var configBytes = Encoding.UTF8.GetBytes(config.ToJsonString());

        var blobs = new Dictionary<string, byte[]>(StringComparer.Ordinal) { [Digest(configBytes)] = configBytes };
        var layers = new JsonArray();
        var digests = new List<string>();
        foreach (var path in entry.GetProperty("Layers").EnumerateArray().Select(l => l.GetString()!))
        {
            var gzipped = Gzip(files[path]);
            var digest = Digest(gzipped);
            blobs[digest] = gzipped;
            digests.Add(digest);
            layers.Add(Descriptor("application/vnd.docker.image.rootfs.diff.tar.gzip", gzipped.Length, digest));
        }

        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = ManifestType,
            ["config"] = Descriptor("application/vnd.docker.container.image.v1+json", configBytes.Length, Digest(configBytes)),
            ["layers"] = layers,
        };
        var registry = new FakeRegistry(blobs, Encoding.UTF8.GetBytes(manifest.ToJsonString()), digests, login);
        registry._listener.Start();
        registry._accepting = registry.AcceptAsync();
        return registry;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        Task[] connections;
        lock (_gate)
        {
            connections = [.. _connections];
        }

        await Task.WhenAll(connections);
        _stop.Dispose();
    }

    private static async Task<Dictionary<string, byte[]>> SaveAsync(IDockerClient client, string image)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using var tar = new MemoryStream();
        await using (var saved = await client.Images.SaveImageAsync(image, CancellationToken.None))
        {
            await saved.CopyToAsync(tar);
        }

        tar.Position = 0;
        await using var reader = new TarReader(tar);
        while (await reader.GetNextEntryAsync() is { } file)
        {
            if (file.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile && file.DataStream is { } data)
            {
                using var copy = new MemoryStream();
                await data.CopyToAsync(copy);
                files[file.Name] = copy.ToArray();
            }
        }

        return files;
    }

    private static byte[] Gzip(byte[] tar)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(tar);
        }

        var bytes = output.ToArray();
        // The header's MTIME (bytes 4-7, under no checksum) made random: the blob's digest is new to the engine, which
        // would otherwise know it from an earlier run and report the layer "Already exists" without downloading it.
        RandomNumberGenerator.Fill(bytes.AsSpan(4, 4));
        return bytes;
    }

    private static JsonObject Descriptor(string mediaType, long size, string digest) =>
        new() { ["mediaType"] = mediaType, ["size"] = size, ["digest"] = digest };

    private static string Digest(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    private async Task AcceptAsync()
    {
        while (true)
        {
            TcpClient connection;
            try
            {
                connection = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            lock (_gate)
            {
                _connections.RemoveAll(c => c.IsCompleted);
                _connections.Add(ServeAsync(connection));
            }
        }
    }

    /// <summary>One request per connection (the answer says <c>Connection: close</c>); what is not HTTP gets a 400.</summary>
    private async Task ServeAsync(TcpClient connection)
    {
        using var _ = connection;
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        patience.CancelAfter(ConnectionPatience);
        try
        {
            var stream = connection.GetStream();
            var head = await ReadHeadAsync(stream, patience.Token);
            var response = head is null ? Answer(HttpStatusCode.BadRequest, "text/plain", "not HTTP"u8.ToArray()) : Respond(head);
            await stream.WriteAsync(response.Head, patience.Token);
            if (head is not null && head.Method != "HEAD")
            {
                await stream.WriteAsync(response.Body, patience.Token);
            }

            connection.Client.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    /// <summary>The request line and headers; null for bytes that are not an HTTP request (a TLS hello, say).</summary>
    private static async Task<Head?> ReadHeadAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxHeadBytes];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken);
            if (read == 0 || !char.IsAsciiLetterUpper((char)buffer[0]))
            {
                return null;
            }

            length += read;
            var end = buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                var lines = Encoding.ASCII.GetString(buffer, 0, end).Split("\r\n");
                var parts = lines[0].Split(' ');
                if (parts.Length != 3)
                {
                    return null;
                }

                var headers = lines.Skip(1)
                    .Select(l => l.Split(':', 2))
                    .Where(p => p.Length == 2)
                    .GroupBy(p => p[0].Trim(), StringComparer.OrdinalIgnoreCase)
                    .ToDictionary(g => g.Key, g => g.Last()[1].Trim(), StringComparer.OrdinalIgnoreCase);
                return new Head(parts[0], parts[1], headers);
            }
        }

        return null;
    }

    private Response Respond(Head head)
    {
        var authenticated = _authorization is not null && head.Headers.TryGetValue("Authorization", out var given) && given == _authorization;
        lock (_gate)
        {
            _requests.Add(new Request(head.Method, head.Target, authenticated));
        }

        if (_authorization is not null && !authenticated)
        {
            return Error(HttpStatusCode.Unauthorized, "UNAUTHORIZED", "authentication required", ("WWW-Authenticate", "Basic realm=\"fake\""));
        }

        if (head.Method is not ("GET" or "HEAD"))
        {
            return Error(HttpStatusCode.MethodNotAllowed, "UNSUPPORTED", "this registry only serves pulls");
        }

        var path = head.Target.Split('?')[0];
        if (path is "/v2" or "/v2/")
        {
            return Answer(HttpStatusCode.OK, "application/json", "{}"u8.ToArray());
        }

        if (Route(path, "/manifests/") is { } manifest)
        {
            return manifest.Name != Repository ? Error(HttpStatusCode.NotFound, "NAME_UNKNOWN", "repository name not known to registry")
                : manifest.Reference == Tag || manifest.Reference == ManifestDigest ? Answer(HttpStatusCode.OK, ManifestType, _manifest, ("Docker-Content-Digest", ManifestDigest))
                : Error(HttpStatusCode.NotFound, "MANIFEST_UNKNOWN", "manifest unknown");
        }

        if (Route(path, "/blobs/") is { } blob)
        {
            return blob.Name == Repository && _blobs.TryGetValue(blob.Reference, out var bytes)
                ? Answer(HttpStatusCode.OK, "application/octet-stream", bytes, ("Docker-Content-Digest", blob.Reference))
                : Error(HttpStatusCode.NotFound, "BLOB_UNKNOWN", "blob unknown to registry");
        }

        return Error(HttpStatusCode.NotFound, "NOT_FOUND", "no such route");
    }

    /// <summary><c>/v2/team/app/blobs/sha256:…</c> with <c>/blobs/</c> → (<c>team/app</c>, <c>sha256:…</c>).</summary>
    private static (string Name, string Reference)? Route(string path, string kind)
    {
        var at = path.LastIndexOf(kind, StringComparison.Ordinal);
        return path.StartsWith("/v2/", StringComparison.Ordinal) && at > "/v2/".Length
            ? (Uri.UnescapeDataString(path[4..at]), Uri.UnescapeDataString(path[(at + kind.Length)..]))
            : null;
    }

    private static Response Error(HttpStatusCode status, string code, string message, params (string Name, string Value)[] headers) =>
        Answer(status, "application/json", JsonSerializer.SerializeToUtf8Bytes(new { errors = new[] { new { code, message } } }), headers);

    private static Response Answer(HttpStatusCode status, string contentType, byte[] body, params (string Name, string Value)[] headers)
    {
        var head = new StringBuilder()
            .Append(System.Globalization.CultureInfo.InvariantCulture, $"HTTP/1.1 {(int)status} {status}\r\n")
            .Append("Docker-Distribution-API-Version: registry/2.0\r\n")
            .Append(System.Globalization.CultureInfo.InvariantCulture, $"Content-Type: {contentType}\r\nContent-Length: {body.Length}\r\n");
        foreach (var (name, value) in headers)
        {
            head.Append(System.Globalization.CultureInfo.InvariantCulture, $"{name}: {value}\r\n");
        }

        head.Append("Connection: close\r\n\r\n");
        return new Response(Encoding.ASCII.GetBytes(head.ToString()), body);
    }

    /// <summary>A request as it arrived (<c>GET /v2/…</c>) and whether it carried the registry's login.</summary>
    public sealed record Request(string Method, string Target, bool Authenticated);

    private sealed record Head(string Method, string Target, Dictionary<string, string> Headers);

    private sealed record Response(byte[] Head, byte[] Body);
}
