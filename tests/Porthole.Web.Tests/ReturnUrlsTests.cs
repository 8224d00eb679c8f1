using Porthole.Server.Web.Sessions;

namespace Porthole.Web.Tests;

public sealed class ReturnUrlsTests
{
    [Theory]
    [InlineData("/projects", "/projects")]
    [InlineData("/jobs/12?node=1#log", "/jobs/12?node=1#log")]
    [InlineData("/", "/")]
    [InlineData(null, "/projects")]
    [InlineData("", "/projects")]
    [InlineData("https://example.com/", "/projects")]
    [InlineData("//example.com", "/projects")]
    [InlineData("/\\example.com", "/projects")]
    [InlineData("/a\\b", "/projects")]
    [InlineData("javascript:alert(1)", "/projects")]
    [InlineData("projects", "/projects")]
    [InlineData("/sign-in", "/projects")]
    [InlineData("/sign-out?x=1", "/projects")]
    [InlineData("/x\r\nLocation: https://example.com", "/projects")]
    public void Only_a_local_path_is_followed(string? returnUrl, string expected) =>
        Assert.Equal(expected, ReturnUrls.LocalOrDefault(returnUrl));
}
