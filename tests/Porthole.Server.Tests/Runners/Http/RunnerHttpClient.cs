using System.Net.Http.Headers;
using System.Net.Http.Json;
using Porthole.Contracts.Api;
using Porthole.Contracts.Runners;
using Porthole.Server.Tests.JobData;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.Runners.Http;

/// <summary>
/// A test's hand-made remote runner: raw HTTP calls of the runner protocol with a runner token of its own, so a test
/// decides every byte a runner sends (and can send what no real runner would).
/// </summary>
public sealed class RunnerHttpClient : IDisposable
{
    private RunnerHttpClient(HttpClient http, string name, string token)
    {
        Http = http;
        Name = name;
        Token = token;
    }

    public HttpClient Http { get; }

    public string Name { get; }

    /// <summary>The runner token (a secret: never printed by a test).</summary>
    public string Token { get; }

    /// <summary>Makes a runner token named <paramref name="name"/> as the admin, and a client that uses it.</summary>
    public static async Task<RunnerHttpClient> CreateAsync(JobDataServer server, string name)
    {
        var response = await server.Client.PostAsJsonAsync("/api/runner-tokens", new CreateRunnerTokenRequest(name), ApiJson.Options);
        await Expect.StatusAsync(response, 201);
        var token = (await response.Content.ReadFromJsonAsync<CreatedRunnerToken>(ApiJson.Options))!.Token;
        var http = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return new RunnerHttpClient(http, name, token);
    }

    public Task<HttpResponseMessage> RegisterAsync(params string[] labels) =>
        Http.PostAsJsonAsync(RunnerHttp.Register, new RunnerRegisterRequest(null, "test", labels, 4, "127.0.0.1"), ApiJson.Options);

    /// <summary>A lease waiting at most <paramref name="seconds"/>: the assignment, or null when nothing it can take is queued.</summary>
    public async Task<NodeAssignment?> LeaseAsync(double seconds = 5)
    {
        var response = await Http.PostAsync(RunnerHttp.LeaseWaiting(seconds), null);
        if (response.StatusCode == System.Net.HttpStatusCode.NoContent)
        {
            return null;
        }

        await Expect.StatusAsync(response, 200);
        return await response.Content.ReadFromJsonAsync<NodeAssignment>(ApiJson.Options);
    }

    /// <summary>A request about a node, carrying <paramref name="leaseToken"/>.</summary>
    public static HttpRequestMessage About(HttpMethod method, string path, string? leaseToken, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        if (leaseToken is not null)
        {
            request.Headers.Add(RunnerHttp.LeaseHeader, leaseToken);
        }

        return request;
    }

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? leaseToken, HttpContent? content = null) =>
        Http.SendAsync(About(method, path, leaseToken, content));

    public static HttpContent Json<T>(T value) => JsonContent.Create(value, options: ApiJson.Options);

    public static HttpContent Bytes(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return content;
    }

    public void Dispose() => Http.Dispose();
}
