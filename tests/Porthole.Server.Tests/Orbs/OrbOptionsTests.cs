using Microsoft.Extensions.Options;
using Porthole.Server.Orbs;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.Orbs;

/// <summary><c>Porthole:Orbs:RegistryUrl</c> is checked when the server starts: an absolute http or https address, and it is never echoed.</summary>
public sealed class OrbOptionsTests
{
    [Theory]
    [InlineData("ftp://circleci.com")]
    [InlineData("circleci.com")]
    [InlineData("/graphql")]
    [InlineData("https://user:hunter2@circleci.example.com")]
    [InlineData("https://circleci.com/?x=1")]
    public async Task A_registry_address_that_is_not_an_absolute_web_address_stops_the_server_at_start(string url)
    {
        using var data = new TempFolder();

        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => RunningServer.StartAsync(
            data.Path, new Dictionary<string, string?> { ["Porthole:Orbs:RegistryUrl"] = url }));

        Assert.Contains("Porthole:Orbs:RegistryUrl must be an absolute http or https address", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_timeout_out_of_range_stops_the_server_at_start()
    {
        using var data = new TempFolder();

        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => RunningServer.StartAsync(
            data.Path, new Dictionary<string, string?> { ["Porthole:Orbs:RegistryTimeout"] = "01:00:00" }));

        Assert.Contains("Porthole:Orbs:RegistryTimeout must be between", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://circleci.com", "https://circleci.com/graphql-unstable")]
    [InlineData("http://127.0.0.1:8080/circleci/", "http://127.0.0.1:8080/circleci/graphql-unstable")]
    public void The_default_and_a_server_install_address_are_accepted(string url, string endpoint)
    {
        var options = new OrbOptions { RegistryUrl = url };

        Assert.Empty(options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)));
        Assert.Equal(endpoint, new Uri(options.RegistryBase(), "graphql-unstable").ToString());
        Assert.Equal("https://circleci.com", new OrbOptions().RegistryUrl);
    }
}
