using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Porthole.Contracts.Api;
using Porthole.Contracts.Ssh;
using Porthole.Server.Tests.Support;
using Porthole.Server.Web;
using Porthole.Web.Tests.Support;

namespace Porthole.Web.Tests;

/// <summary>
/// Session recordings on the web (R-BEY-2) against the real server, runner and sshd: a session typed in the job page's
/// browser terminal is listed on the job page once it ends, and its replay page plays it in asciinema-player
/// (WebAssembly, which only that page's policy admits) masked as the log is, with its file as a download; the job's
/// access rules hold, and an address that names no recording of the attempt is the 404 page.
/// </summary>
public sealed partial class RecordingPageTests(WebFixture web) : WebTest(web)
{
    private const string Secret = "Rec0rdedS3cretValue";

    private const string Config = """
        version: 2
        jobs:
          build:
            steps:
              - run:
                  name: Say hello
                  command: echo hello
        workflows:
          main:
            jobs: [build]
        """;

    /// <summary>Every CSP violation of the page (the player's script, WebAssembly and styles must all be allowed).</summary>
    private const string RecordCspViolations = """
        window.cspViolations = [];
        document.addEventListener("securitypolicyviolation", e =>
          window.cspViolations.push(e.effectiveDirective + " " + (e.blockedURI || "") + " " + (e.sample || "")));
        """;

    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _scriptErrors = new();

    [Fact]
    public async Task A_browser_terminal_session_is_listed_on_the_job_page_and_replays_masked_on_its_own_page_with_webassembly()
    {
        using var project = await PipelineProject.CreateAsync(Web, "rec", Config);
        var secret = await project.Admin.PutAsJsonAsync($"/api/projects/{project.Name}/env/SECRET", new SetVariableRequest(Secret, Secret: true), ApiJson.Options);
        Assert.True(secret.IsSuccessStatusCode, await secret.Content.ReadAsStringAsync());
        using var keys = new TempFolder();
        var (owner, ownerToken) = await project.MemberAsync("owner", "admin");
        using var ownerApi = project.ClientFor(ownerToken);
        await PipelineProject.AddKeyAsync(ownerApi, SshKeyFile.Generate(keys.Path, "owner"));
        var job = await project.FinishedJobAsync();
        var rerun = await ownerApi.PostAsJsonAsync($"/api/jobs/{job.Id}/rerun", new RerunRequest(null, Ssh: true), ApiJson.Options);
        Assert.True(rerun.IsSuccessStatusCode, await rerun.Content.ReadAsStringAsync());

        // The owner's browser terminal: two commands, one printing the secret, then exit.
        var page = await SignedInAsync(ownerToken);
        var jobResponse = await page.GotoAsync($"/jobs/{job.Id}");
        var slot = page.Locator("#terminal-0");
        var open = slot.GetByRole(AriaRole.Button, new() { Name = "Open terminal" });
        await Assertions.Expect(open).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await open.ClickAsync();
        var status = slot.Locator("[data-terminal-status]");
        await Assertions.Expect(status).ToHaveTextAsync($"connected as {owner}", new() { Timeout = 30_000 });
        await page.Keyboard.TypeAsync("echo typed-$((6*7))");
        await page.Keyboard.PressAsync("Enter");
        await WaitForTerminalAsync(page, "text => text.includes('typed-42')");
        await page.Keyboard.TypeAsync("echo shown:$SECRET");
        await page.Keyboard.PressAsync("Enter");
        await WaitForTerminalAsync(page, "text => text.split('\\n').some(line => line.startsWith('shown:'))");
        await page.Keyboard.TypeAsync("exit");
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(status).ToHaveTextAsync(new Regex("^closed: "), new() { Timeout = 20_000 });

        // The job page (reloaded until the node has uploaded it) lists the session: the owner's, via the browser terminal.
        var row = page.Locator("#recordings tbody tr");
        await WaitUntilAsync(async () =>
        {
            await page.GotoAsync($"/jobs/{job.Id}");
            return await row.CountAsync() > 0;
        }, "the job page to list the recording");
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await Assertions.Expect(row).ToHaveAttributeAsync("data-via", SshVia.Web);
        await Assertions.Expect(row.Locator("[data-field='who']")).ToHaveTextAsync(owner);
        await Assertions.Expect(row.Locator("[data-field='via']")).ToHaveTextAsync("browser terminal");
        await Assertions.Expect(page.Locator("[data-field='recordings-link']")).ToHaveTextAsync("1 session recording");
        var recording = (await project.Admin.GetFromJsonAsync<SessionRecordingList>($"/api/jobs/{job.Id}/recordings", ApiJson.Options))!.Items.Single();
        Assert.Equal((owner, SshVia.Web), (recording.UserName, recording.Via));
        await Assertions.Expect(row.Locator("[data-field='download']")).ToHaveAttributeAsync("href", recording.Url);
        await page.Locator("#recordings").ScrollIntoViewIfNeededAsync();
        await Screenshots.SaveAsync(page, "job-recordings");

        // Replay: the page's policy adds 'wasm-unsafe-eval' to the job page's, which stays as every other page's.
        var replay = await page.RunAndWaitForResponseAsync(
            () => row.GetByRole(AriaRole.Link, new() { Name = "Replay" }).ClickAsync(),
            r => r.Url.Contains($"/jobs/{job.Id}/recordings/{recording.Id}?attempt=2", StringComparison.Ordinal));
        Assert.Equal(200, replay.Status);
        var jobPolicy = jobResponse!.Headers["content-security-policy"];
        var replayPolicy = replay.Headers["content-security-policy"];
        Assert.Equal(SecurityHeaders.ContentSecurityPolicy(Nonce(jobPolicy)), jobPolicy);
        Assert.DoesNotContain("wasm-unsafe-eval", jobPolicy, StringComparison.Ordinal);
        Assert.Equal(SecurityHeaders.ContentSecurityPolicy(Nonce(replayPolicy)).Replace("script-src 'self';", "script-src 'self' 'wasm-unsafe-eval';", StringComparison.Ordinal), replayPolicy);

        // What the page says about the session, and the player's screen once played: the output, the secret masked.
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync($"Session of {owner}");
        await Assertions.Expect(page.Locator("[data-field='who']")).ToContainTextAsync($"{owner}, key SHA256:");
        await Assertions.Expect(page.Locator("[data-field='via']")).ToHaveTextAsync("browser terminal");
        await Assertions.Expect(page.Locator("[data-field='node']")).ToHaveTextAsync("0");
        await Assertions.Expect(page.Locator("[data-field='truncated']")).ToHaveCountAsync(0);
        await page.WaitForFunctionAsync("() => window.portholePlayer !== undefined");
        await page.EvaluateAsync("() => window.portholePlayer.play()");
        try
        {
            await page.WaitForFunctionAsync(
                "() => { const text = document.querySelector('#player .ap-term-text')?.textContent ?? ''; return text.includes('typed-42') && text.includes('shown:********'); }",
                null,
                new() { Timeout = 30_000 });
        }
        catch (TimeoutException)
        {
            Assert.Fail($"The player never showed both lines:\n{await page.Locator("#player").TextContentAsync()}");
        }

        Assert.DoesNotContain(Secret, await page.Locator("#player").TextContentAsync() ?? "", StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, await page.ContentAsync(), StringComparison.Ordinal);
        Assert.Empty(await page.EvaluateAsync<string[]>("() => window.cspViolations"));
        await Screenshots.SaveAsync(page, "recording-replay", narrowToo: true);

        // Download: the asciicast file, masked, under the API's own name.
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("[data-field='download']").ClickAsync());
        Assert.Null(await download.FailureAsync());
        Assert.Equal($"job-{job.Id}-node-0-session-{recording.Id}.cast", download.SuggestedFilename);
        var cast = await File.ReadAllTextAsync((await download.PathAsync())!);
        Assert.StartsWith("{\"version\":2", cast, StringComparison.Ordinal);
        Assert.Contains("shown:********", cast, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, cast, StringComparison.Ordinal);

        // A read member replays it too; another project's member gets the job page's own 404, and so do addresses
        // that name no recording of the attempt.
        var (_, readerToken) = await project.MemberAsync("reader", "read");
        var reader = await SignedInAsync(readerToken);
        var replayPath = $"/jobs/{job.Id}/recordings/{recording.Id}";
        Assert.Equal(200, (await reader.GotoAsync(replayPath))!.Status);
        using var other = await PipelineProject.CreateAsync(Web, "rec-other", Config);
        var (_, outsiderToken) = await other.MemberAsync("outsider", "admin");
        var outsider = await SignedInAsync(outsiderToken);
        var jobNotFound = await NotFoundAsync(outsider, $"/jobs/{job.Id}");
        Assert.Equal(jobNotFound, await NotFoundAsync(outsider, replayPath));
        Assert.Equal(jobNotFound, await NotFoundAsync(outsider, replayPath + "?attempt=2"));
        Assert.Contains("has no session recording 'abc'", await NotFoundAsync(page, $"/jobs/{job.Id}/recordings/abc"), StringComparison.Ordinal);
        Assert.Contains($"Attempt 1 of job {job.Id} has no session recording", await NotFoundAsync(page, replayPath + "?attempt=1"), StringComparison.Ordinal);
        await NotFoundAsync(page, replayPath + "?attempt=x");
        await NotFoundAsync(page, replayPath + "?attempt=3");
        await NotFoundAsync(page, $"/jobs/{job.Id}/recordings/{recording.Id + 1000}");
        await NotFoundAsync(page, $"/jobs/{job.Id + 100_000}/recordings/{recording.Id}");
        Assert.Empty(_scriptErrors);
    }

    /// <summary>Opens the address, expects the 404 page, and returns its sentence.</summary>
    private static async Task<string> NotFoundAsync(IPage page, string path)
    {
        var response = await page.GotoAsync(path);
        Assert.Equal(404, response!.Status);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Page not found");
        Assert.DoesNotContain("wasm-unsafe-eval", response.Headers["content-security-policy"], StringComparison.Ordinal);
        return (await page.Locator(".lead").TextContentAsync())!;
    }

    private static string Nonce(string policy) => NoncePattern().Match(policy).Groups[1].Value;

    [GeneratedRegex("'nonce-([^']+)'")]
    private static partial Regex NoncePattern();

    private async Task<IPage> SignedInAsync(string token)
    {
        var page = await Web.SignedInPageAsync(token);
        await page.AddInitScriptAsync(RecordCspViolations);
        page.PageError += (_, error) => _scriptErrors.Enqueue(error);
        return page;
    }

    private static async Task WaitForTerminalAsync(IPage page, string predicate)
    {
        try
        {
            await page.WaitForFunctionAsync($"() => ({predicate})(window.portholeTerminals?.[0]?.text() ?? '')", null, new() { Timeout = 20_000 });
        }
        catch (TimeoutException)
        {
            Assert.Fail($"The browser terminal never matched {predicate}:\n{await page.EvaluateAsync<string>("() => window.portholeTerminals[0].text()")}");
        }
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = TimeProvider.System.GetUtcNow().AddSeconds(30);
        while (!await condition())
        {
            Assert.True(TimeProvider.System.GetUtcNow() < deadline, $"waited 30 s for {what}");
            await Task.Delay(500);
        }
    }
}
