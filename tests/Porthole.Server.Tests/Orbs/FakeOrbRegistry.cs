using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Porthole.Server.Tests.Orbs;

/// <summary>
/// A stand-in for CircleCI's orb registry (which cannot be reached here), on a loopback port the system picks: it answers
/// <c>POST /graphql-unstable</c> in the registry's GraphQL format, as the circleci CLI's own tests record it
/// (CircleCI-Public/circleci-cli <c>cmd/orb_test.go</c>): <c>orbVersion(orbVersionRef:)</c> with
/// <c>{"data":{"orbVersion":{"id","version","orb":{"id"},"source"}}}</c>, <c>orb(name:) { versions(count:) }</c> newest
/// first, and <c>null</c> for what it does not have. <see cref="Answer"/> replaces every answer, for the error shapes.
/// </summary>
public sealed class FakeOrbRegistry : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeOrbRegistry(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public string Url { get; }

    /// <summary>Published sources by <c>ns/name@version</c>.</summary>
    public ConcurrentDictionary<string, string> Orbs { get; } = new(StringComparer.Ordinal);

    /// <summary>Each request's path and JSON body, in order.</summary>
    public ConcurrentQueue<(string Path, JsonNode? Body)> Requests { get; } = new();

    /// <summary>When set, every request is answered with this status, content type and body instead.</summary>
    public (int Status, string ContentType, string Body)? Answer { get; set; }

    /// <summary>When set, each answer waits this long first.</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>When set, the source of every orb version is answered as an empty object (the other way it says "no such version").</summary>
    public bool EmptyObjectForMissing { get; set; }

    public static async Task<FakeOrbRegistry> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        FakeOrbRegistry? registry = null;
        app.Run(http => registry!.ServeAsync(http));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        registry = new FakeOrbRegistry(app, address);
        return registry;
    }

    public void Publish(string reference, string source) => Orbs[reference] = source;

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task ServeAsync(HttpContext http)
    {
        var body = await JsonNode.ParseAsync(http.Request.Body);
        Requests.Enqueue((http.Request.Path, body));
        if (Delay > TimeSpan.Zero)
        {
            await Task.Delay(Delay, http.RequestAborted);
        }

        if (Answer is { } fixedAnswer)
        {
            http.Response.StatusCode = fixedAnswer.Status;
            http.Response.ContentType = fixedAnswer.ContentType;
            await http.Response.WriteAsync(fixedAnswer.Body);
            return;
        }

        if (http.Request.Method != "POST" || http.Request.Path != "/graphql-unstable")
        {
            http.Response.StatusCode = 404;
            await http.Response.WriteAsync("404 page not found");
            return;
        }

        var query = body?["query"]?.GetValue<string>() ?? "";
        var variables = body?["variables"];
        JsonNode data;
        if (query.Contains("orbVersion(orbVersionRef: $orbVersionRef)", StringComparison.Ordinal))
        {
            var reference = variables?["orbVersionRef"]?.GetValue<string>() ?? "";
            data = new JsonObject
            {
                ["orbVersion"] = Orbs.TryGetValue(reference, out var source)
                    ? new JsonObject
                    {
                        ["id"] = "bb604b45-b6b0-4b81-ad80-796f15eddf87",
                        ["version"] = reference[(reference.IndexOf('@', StringComparison.Ordinal) + 1)..],
                        ["orb"] = new JsonObject { ["id"] = "cc604b45-b6b0-4b81-ad80-796f15eddf87" },
                        ["source"] = source,
                    }
                    : EmptyObjectForMissing ? new JsonObject() : null,
            };
        }
        else if (query.Contains("orb(name: $name)", StringComparison.Ordinal))
        {
            var name = variables?["name"]?.GetValue<string>() ?? "";
            var versions = Orbs.Keys
                .Where(key => key.StartsWith(name + "@", StringComparison.Ordinal))
                .Select(key => key[(name.Length + 1)..])
                .Where(version => !version.StartsWith("dev:", StringComparison.Ordinal))
                .ToList();

            // Newest first as the registry sorts, except that this fake sorts as text: Porthole must order by number itself.
            versions.Sort((a, b) => string.CompareOrdinal(b, a));
            data = new JsonObject
            {
                ["orb"] = versions.Count == 0 ? null : new JsonObject
                {
                    ["versions"] = new JsonArray([.. versions.Select(v => (JsonNode)new JsonObject { ["version"] = v })]),
                },
            };
        }
        else
        {
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync("""{"errors":[{"message":"Cannot query field on type QueryRoot","locations":[{"line":1,"column":2}]}]}""");
            return;
        }

        http.Response.ContentType = "application/json; charset=utf-8";
        await http.Response.WriteAsync(new JsonObject { ["data"] = data }.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
    }
}
