using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Porthole.Web.Tests.Support;

/// <summary>The server's API with a token, for what a test sets up or checks behind the pages (users, projects, members).</summary>
public sealed class ApiClient(Uri address, string token) : IDisposable
{
    private readonly HttpClient _http = new()
    {
        BaseAddress = address,
        DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", token) },
    };

    public static ApiClient Admin(WebFixture web) => new(web.Address, web.AdminToken);

    /// <summary>A new user with a name unique to this run (<paramref name="prefix"/>-…), and its first token (named "first").</summary>
    public async Task<(string Name, string Token)> CreateUserAsync(string prefix)
    {
        var name = $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";
        var response = await _http.PostAsJsonAsync("/api/users", new { name });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (name, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!);
    }

    /// <summary>A new private project named <paramref name="prefix"/>-…; its creator (this client's user) is its admin.</summary>
    public async Task<string> CreateProjectAsync(string prefix)
    {
        var name = $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";
        var response = await _http.PostAsJsonAsync("/api/projects", new { name, repository = "https://git.example.com/team/" + name + ".git" });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return name;
    }

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        var response = await _http.GetAsync(path);
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public async Task<int> StatusOfAsync(string path) => (int)(await _http.GetAsync(path)).StatusCode;

    public async Task PutJsonAsync(string path, object body)
    {
        var response = await _http.PutAsJsonAsync(path, body);
        Assert.True(response.IsSuccessStatusCode, $"PUT {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    public void Dispose() => _http.Dispose();
}
