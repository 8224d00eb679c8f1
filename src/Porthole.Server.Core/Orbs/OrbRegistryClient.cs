using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Porthole.Contracts.Api;
using Porthole.Pipeline.Orbs;
using Porthole.Server.Api;

namespace Porthole.Server.Orbs;

/// <summary>
/// Reads a packaged orb from CircleCI's public orb registry the way the circleci CLI's <c>orb source</c> and <c>orb info</c>
/// do (CircleCI-Public/circleci-cli <c>api/api.go</c>: <c>OrbSource</c>, <c>OrbLatestVersion</c>): GraphQL queries POSTed to
/// <c>{RegistryUrl}/graphql-unstable</c>, without a token, so public orbs only. A range (<c>@1</c>, <c>@1.2</c>,
/// <c>volatile</c>) is resolved here, from the orb's published versions, to the newest it matches. Used by
/// <c>porthole orb fetch</c> only: a config compile never calls it.
/// </summary>
public sealed class OrbRegistryClient(HttpClient http, IOptions<OrbOptions> options)
{
    /// <summary>An answer larger than this is refused: a source is at most 1 MiB, and JSON escaping can make it a few times larger.</summary>
    public const int MaxAnswerBytes = 8 * 1024 * 1024;

    private const string SourceQuery = """
        query($orbVersionRef: String!) {
          orbVersion(orbVersionRef: $orbVersionRef) {
            id
            version
            orb { id }
            source
          }
        }
        """;

    /// <summary>A range is chosen from the 200 newest published versions (as many as <c>circleci orb info</c> asks for).</summary>
    private const string VersionsQuery = """
        query($name: String!) {
          orb(name: $name) {
            versions(count: 200) {
              version
            }
          }
        }
        """;

    private Uri Endpoint => new(options.Value.RegistryBase(), "graphql-unstable");

    /// <summary>
    /// The orb <paramref name="reference"/> names, at the exact version it resolves to in the registry; or why not
    /// (404 <c>orb_not_found</c> when the registry has no such orb or version, 502 <c>orb_registry_failed</c> otherwise).
    /// </summary>
    public async Task<(OrbDocument? Orb, Refusal? Refusal)> FetchAsync(OrbReference reference, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(reference);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.Value.RegistryTimeout);
        try
        {
            var version = reference.Version;
            if (!reference.IsExact)
            {
                var (resolved, refusal) = await ResolveAsync(reference, timeout.Token);
                if (resolved is null)
                {
                    return (null, refusal);
                }

                version = resolved;
            }

            return await SourceAsync(reference with { Version = version }, timeout.Token);
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
        {
            // JsonNode reads objects lazily: a duplicate key or a value of an unexpected kind surfaces only where it is read.
            return (null, Garbled("its answer is not the registry's JSON"));
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (null, Failed($"CircleCI's orb registry at {Endpoint} gave no answer within {options.Value.RegistryTimeout.TotalSeconds:0} seconds; try again later, or import the orb from a file."));
        }
    }

    private async Task<(string? Version, Refusal? Refusal)> ResolveAsync(OrbReference reference, CancellationToken ct)
    {
        var name = $"{reference.Namespace}/{reference.Name}";
        var (data, refusal) = await QueryAsync(VersionsQuery, new JsonObject { ["name"] = name }, ct);
        if (data is null)
        {
            return (null, refusal);
        }

        if (data["orb"] is not JsonObject orb)
        {
            return (null, NotFound($"CircleCI's orb registry has no orb {name}: check the namespace and name (https://circleci.com/developer/orbs)."));
        }

        if (orb["versions"] is not JsonArray versions)
        {
            return (null, Garbled($"its answer for {name}'s versions has no versions list"));
        }

        var published = versions.Select(v => Text((v as JsonObject)?["version"])).OfType<string>().ToList();
        if (OrbVersions.Newest(reference, published) is { } newest)
        {
            return (newest, null);
        }

        var latest = OrbVersions.Newest(new OrbReference(reference.Namespace, reference.Name, "volatile"), published);
        return (null, NotFound(latest is null
            ? $"CircleCI's orb registry has no published version of {name}."
            : $"CircleCI's orb registry has no version of {name} matching @{reference.Version}; its newest is {latest}."));
    }

    private async Task<(OrbDocument? Orb, Refusal? Refusal)> SourceAsync(OrbReference exact, CancellationToken ct)
    {
        var (data, refusal) = await QueryAsync(SourceQuery, new JsonObject { ["orbVersionRef"] = exact.ToString() }, ct);
        if (data is null)
        {
            return (null, refusal);
        }

        // The registry answers null, or an orbVersion without an id (the circleci CLI checks the id), for a version it does not have.
        if (data["orbVersion"] is not JsonObject found || Text(found["id"]) is not { Length: > 0 })
        {
            return (null, NotFound($"CircleCI's orb registry has no orb {exact}: check the version at https://circleci.com/developer/orbs/orb/{exact.Namespace}/{exact.Name}."));
        }

        if (Text(found["version"]) is { } version && version != exact.Version)
        {
            return (null, Garbled($"it answered version {MessageText.Shorten(version)} when asked for {exact}"));
        }

        if (Text(found["source"]) is not { } source)
        {
            return (null, Garbled($"its answer for {exact} has no source"));
        }

        if (OrbSourceText.Check(exact.ToString(), source) is { } problem)
        {
            return (null, Failed($"CircleCI's orb registry sent a source for {exact} that is not an orb's: {problem}"));
        }

        return (new OrbDocument(exact.Namespace, exact.Name, exact.Version, source), null);
    }

    /// <summary>The <c>data</c> of a GraphQL answer; or the refusal for a failed request, an error answer or one that is not GraphQL's JSON.</summary>
    private async Task<(JsonObject? Data, Refusal? Refusal)> QueryAsync(string query, JsonObject variables, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint)
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(new JsonObject { ["query"] = query, ["variables"] = variables }.ToJsonString())),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("porthole", "1.0"));

        string body;
        HttpStatusCode status;
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            status = response.StatusCode;
            if (response.Content.Headers.ContentLength > MaxAnswerBytes || await ReadCappedAsync(response.Content, ct) is not { } text)
            {
                return (null, Garbled($"its answer is larger than {MaxAnswerBytes / (1024 * 1024)} MiB"));
            }

            body = text;
        }
        catch (HttpRequestException e)
        {
            return (null, Failed($"cannot reach CircleCI's orb registry at {Endpoint}: {Reason(e)}. Fetch needs the server to reach it; else import the orb from a file (porthole orb import)."));
        }

        if (status != HttpStatusCode.OK)
        {
            return (null, Failed($"CircleCI's orb registry at {Endpoint} answered {(int)status} {status}{Said(body)}; try again later."));
        }

        JsonNode? answer;
        try
        {
            answer = JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            return (null, Garbled("its answer is not JSON"));
        }

        var root = answer as JsonObject;
        var errors = (root?["errors"] as JsonArray)?.Select(e => Text((e as JsonObject)?["message"])).OfType<string>().ToList() ?? [];
        if (root?["data"] is not JsonObject data)
        {
            return (null, errors.Count > 0
                ? Failed($"CircleCI's orb registry at {Endpoint} refused the query: {MessageText.Shorten(OneLine(string.Join("; ", errors)))}")
                : Garbled("its answer has no data"));
        }

        return (data, null);
    }

    private static async Task<string?> ReadCappedAsync(HttpContent content, CancellationToken ct)
    {
        await using var stream = await content.ReadAsStreamAsync(ct);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxAnswerBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    /// <summary>What an error answer says, if it is short text: a proxy's or the registry's own reason.</summary>
    private static string Said(string body)
    {
        var text = OneLine(body);
        return text.Length is > 0 and <= 200 && !text.Contains('<', StringComparison.Ordinal) ? $" ({text})" : "";
    }

    private static string OneLine(string text) =>
        string.Join(' ', text.Split((char[])['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static string Reason(HttpRequestException e)
    {
        Exception reason = e;
        while (reason.InnerException is { } inner && reason.Message.StartsWith("An error occurred", StringComparison.Ordinal))
        {
            reason = inner;
        }

        return OneLine(reason.Message);
    }

    private Refusal Garbled(string what) =>
        Failed($"CircleCI's orb registry at {Endpoint} sent what is not its format: {what}. Check Porthole:Orbs:RegistryUrl, or import the orb from a file.");

    private static Refusal Failed(string detail) => new((int)HttpStatusCode.BadGateway, OrbErrorCodes.OrbRegistryFailed, detail);

    private static Refusal NotFound(string detail) => Refusal.NotFound(OrbErrorCodes.OrbNotFound, detail);
}
