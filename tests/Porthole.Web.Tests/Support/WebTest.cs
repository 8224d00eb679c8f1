namespace Porthole.Web.Tests.Support;

/// <summary>The base of a browser test: the shared server and browser, and the test's own contexts closed after it.</summary>
[Collection(WebCollection.Name)]
public abstract class WebTest(WebFixture web) : IAsyncLifetime
{
    protected WebFixture Web { get; } = web;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => Web.CloseContextsAsync();
}
