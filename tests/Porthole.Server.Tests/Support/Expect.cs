using System.Text.Json;

namespace Porthole.Server.Tests.Support;

public static class Expect
{
    public static async Task StatusAsync(HttpResponseMessage response, int status)
    {
        if ((int)response.StatusCode != status)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.Fail($"expected HTTP {status}, got {(int)response.StatusCode}: {body}");
        }
    }

    /// <summary>Asserts a ProblemDetails answer with the status and stable code, and returns it.</summary>
    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, int status, string code)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected HTTP {status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()), body);
        return problem;
    }
}

public static class HttpClientExtensions
{
    /// <summary>Registers a key to the client's user through the API, expecting it to be accepted.</summary>
    public static async Task AddKeyAsync(this HttpClient client, SshKeyFile key)
    {
        var response = await System.Net.Http.Json.HttpClientJsonExtensions.PostAsJsonAsync(
            client, "/api/users/me/keys", new Porthole.Contracts.Api.AddKeyRequest(key.PublicLine, null), Porthole.Contracts.Api.ApiJson.Options);
        await Expect.StatusAsync(response, 201);
    }

    public static async Task<T> GetFromJsonAsyncOrFail<T>(this HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        await Expect.StatusAsync(response, 200);
        return (await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<T>(response.Content, Porthole.Contracts.Api.ApiJson.Options))!;
    }
}
