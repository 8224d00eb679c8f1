using System.Net.Http.Json;
using Porthole.Contracts.Api;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests;

/// <summary>A secret shorter than 4 characters cannot be masked in logs, so it is refused; a plain variable may be any length.</summary>
public sealed class SecretLengthTests : IAsyncLifetime
{
    private readonly TempFolder _data = new();
    private RunningServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await RunningServer.StartAsync(_data.Path);
        await _server.AddProjectAsync("app", "/nonexistent/app");
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _data.Dispose();
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("")]
    [InlineData("ab\ncd")]
    [InlineData("abc\n")]
    public async Task A_secret_too_short_to_mask_is_refused(string value)
    {
        var problem = await Expect.ProblemAsync(
            await _server.Client.PutAsJsonAsync("/api/projects/app/env/PIN", new SetVariableRequest(value, true), ApiJson.Options), 400, "secret_too_short");
        Assert.Equal(
            "A secret must be at least 4 characters long: shorter values cannot be masked in logs reliably.",
            problem.GetProperty("detail").GetString());
        Assert.DoesNotContain("PIN", await _server.Client.GetStringAsync("/api/projects/app/env"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_plain_variable_of_three_characters_and_a_secret_of_four_are_accepted()
    {
        await Expect.StatusAsync(await _server.Client.PutAsJsonAsync("/api/projects/app/env/MODE", new SetVariableRequest("abc", false), ApiJson.Options), 200);
        await Expect.StatusAsync(await _server.Client.PutAsJsonAsync("/api/projects/app/env/EMPTY", new SetVariableRequest("", null), ApiJson.Options), 200);
        await Expect.StatusAsync(await _server.Client.PutAsJsonAsync("/api/projects/app/env/PIN", new SetVariableRequest("1234", true), ApiJson.Options), 200);
        await Expect.StatusAsync(await _server.Client.PutAsJsonAsync("/api/projects/app/env/KEY", new SetVariableRequest("-----BEGIN-----\nab\n", true), ApiJson.Options), 200);

        var variables = await _server.Client.GetFromJsonAsyncOrFail<List<VariableView>>("/api/projects/app/env");
        Assert.Equal([("EMPTY", false, ""), ("KEY", true, null), ("MODE", false, "abc"), ("PIN", true, null)], variables.Select(v => (v.Name, v.Secret, v.Value)));
    }
}
