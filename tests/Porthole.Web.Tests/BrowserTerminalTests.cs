using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Porthole.Contracts.Api;
using Porthole.Server.Tests.Support;
using Porthole.Web.Tests.Support;

namespace Porthole.Web.Tests;

/// <summary>
/// The job page's terminal (R-WEB-2) against the real server, runner, sshd and tmux: xterm.js in Chromium typing into a
/// debug session that a real <c>ssh -tt</c> shares, a read member only watching, the refusal for one who may not enter,
/// an admin ending the browser's session, Cancel closing it, and nothing left behind.
/// </summary>
public sealed partial class BrowserTerminalTests(WebFixture web) : WebTest(web)
{
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

    /// <summary>Every CSP violation of the page (the terminal's styles must all be allowed), recorded from the start.</summary>
    private const string RecordCspViolations = """
        window.cspViolations = [];
        document.addEventListener("securitypolicyviolation", e =>
          window.cspViolations.push(e.effectiveDirective + " " + (e.blockedURI || "") + " " + (e.sample || "")));
        """;

    private static readonly LocatorAssertionsToBeVisibleOptions SshdUp = new() { Timeout = 30_000 };

    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _scriptErrors = new();

    private string KeyRoot => Path.Combine(Web.DataDirectory, "web-terminal");

    [Fact]
    public async Task In_a_debug_run_the_browser_terminal_shares_the_session_a_read_member_watches_and_cancel_closes_it()
    {
        using var project = await PipelineProject.CreateAsync(Web, "term", Config);
        using var keys = new TempFolder();
        var (owner, ownerToken) = await project.MemberAsync("owner", "admin");
        var (reader, readerToken) = await project.MemberAsync("reader", "read");
        var ownerKey = SshKeyFile.Generate(keys.Path, "owner");
        using var ownerApi = project.ClientFor(ownerToken);
        await PipelineProject.AddKeyAsync(ownerApi, ownerKey);
        var job = await project.FinishedJobAsync();
        var debug = await ownerApi.PostAsJsonAsync($"/api/jobs/{job.Id}/debug", new DebugJobRequest(Quiet: false), ApiJson.Options);
        Assert.True(debug.IsSuccessStatusCode, await debug.Content.ReadAsStringAsync());

        // The owner's page: "Open terminal" once the node's sshd is up, reached and pressed from the keyboard.
        var page = await SignedInAsync(ownerToken);
        await page.GotoAsync($"/jobs/{job.Id}");
        var slot = page.Locator("#terminal-0");
        var open = slot.GetByRole(AriaRole.Button, new() { Name = "Open terminal" });
        await Assertions.Expect(open).ToBeVisibleAsync(SshdUp);

        // A real ssh client in the same debug session (tmux).
        var node = (await project.SshViewAsync(job.Id)).Nodes[0];
        var ssh = new SshClient(keys.Path);
        ssh.Pin(node.Host!, node.Port!.Value, node.HostKey!);
        using var terminal = InteractiveSsh.Start(ssh, node, ownerKey);
        await terminal.TypeAsync("echo ssh-ready-$((1+1))\r");
        await terminal.WaitForAsync("ssh-ready-2");

        await Keyboard.TabToAsync(page, open);
        await page.Keyboard.PressAsync("Enter");
        var status = slot.Locator("[data-terminal-status]");
        await Assertions.Expect(status).ToHaveTextAsync($"connected as {owner}", new() { Timeout = 30_000 });
        Assert.True(await page.EvaluateAsync<bool>("() => document.activeElement.classList.contains('xterm-helper-textarea')"), "the terminal has the focus once open");
        await WaitForTerminalTextAsync(page, "ssh-ready-2");

        // The browser types; the ssh client and the job's log (not quiet) see it.
        await page.Keyboard.TypeAsync("echo from-browser-$((6*7))");
        await page.Keyboard.PressAsync("Enter");
        await terminal.WaitForAsync("from-browser-42");
        await WaitForLogAsync(project, job.Id, "from-browser-42");

        // The ssh client types; the browser shows it (in xterm's buffer and on the screen).
        await terminal.TypeAsync("echo from-ssh-$((5*5))\r");
        await WaitForTerminalTextAsync(page, "from-ssh-25");
        await Assertions.Expect(slot.Locator(".xterm-rows")).ToContainTextAsync("from-ssh-25");

        // The SSH panel lists the browser's session, via web; no style of xterm's was refused by the page's policy.
        var panel = page.Locator("#ssh-panel");
        var webRow = panel.Locator("[data-ssh-sessions] tr.live", new() { HasText = "via web" });
        await Assertions.Expect(webRow).ToHaveCountAsync(1, new() { Timeout = 10_000 });
        await Assertions.Expect(webRow.Locator("th")).ToContainTextAsync(owner);
        await Assertions.Expect(webRow.Locator("th")).Not.ToContainTextAsync("read-only");
        Assert.Empty(await page.EvaluateAsync<string[]>("() => window.cspViolations"));
        await Assertions.Expect(slot.Locator(".xterm-rows span").First).ToHaveCSSAsync("display", "inline-block");
        await page.Locator("#ssh-panel").ScrollIntoViewIfNeededAsync();
        await Screenshots.SaveAsync(page, "job-terminal", narrowToo: true);

        // Shift+Esc leaves the terminal for the page.
        await page.Locator(".xterm-helper-textarea").FocusAsync();
        await page.Keyboard.PressAsync("Shift+Escape");
        Assert.True(await slot.GetByRole(AriaRole.Button, new() { Name = "Close" }).EvaluateAsync<bool>("e => e === document.activeElement"));

        // A read member only watches: its typing reaches nobody, and it sees what the others type.
        var watcher = await SignedInAsync(readerToken);
        await watcher.GotoAsync($"/jobs/{job.Id}");
        var watchSlot = watcher.Locator("#terminal-0");
        var watch = watchSlot.GetByRole(AriaRole.Button, new() { Name = "Watch (read-only)" });
        await Assertions.Expect(watch).ToBeVisibleAsync(SshdUp);
        await Assertions.Expect(watchSlot.GetByRole(AriaRole.Button, new() { Name = "Open terminal" })).ToHaveCountAsync(0);
        await watch.ClickAsync();
        await Assertions.Expect(watchSlot.Locator("[data-terminal-status]")).ToHaveTextAsync($"connected as {reader}, read-only", new() { Timeout = 30_000 });
        await watcher.Locator(".xterm-helper-textarea").FocusAsync();
        await watcher.Keyboard.TypeAsync("echo from-reader-$((8*8))");
        await watcher.Keyboard.PressAsync("Enter");
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        await terminal.TypeAsync("echo from-owner-$((7*7))\r");
        await WaitForTerminalTextAsync(watcher, "from-owner-49");
        await WaitForTerminalTextAsync(page, "from-owner-49");
        Assert.DoesNotContain("from-reader-64", terminal.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("from-reader-64", await TerminalTextAsync(watcher), StringComparison.Ordinal);
        Assert.DoesNotContain("from-reader-64", await LogAsync(project, job.Id), StringComparison.Ordinal);
        var watchRow = panel.Locator("[data-ssh-sessions] tr.live", new() { HasText = reader });
        await Assertions.Expect(watchRow).ToContainTextAsync("via web", new() { Timeout = 10_000 });
        await Assertions.Expect(watchRow).ToContainTextAsync("read-only");
        Assert.Empty(await watcher.EvaluateAsync<string[]>("() => window.cspViolations"));
        await Screenshots.SaveAsync(watcher, "job-terminal-read-only");

        // The admin ends the browser's own session from the panel: the page stays, its terminal says it closed.
        await page.EvaluateAsync("() => { window.sameDocument = true; }");
        await webRow.Filter(new() { HasText = owner }).GetByRole(AriaRole.Button, new() { Name = "End session" }).ClickAsync();
        await Assertions.Expect(panel.Locator("[data-ssh-notice]")).ToContainTextAsync($"Ending the session of {owner}");
        await Assertions.Expect(status).ToHaveTextAsync("closed: The session ended (ssh exited with 255).", new() { Timeout = 15_000 });
        Assert.True(await page.EvaluateAsync<bool>("() => window.sameDocument === true"));
        Assert.False(terminal.HasExited);

        // Opened again; then Cancel, from another tab of the owner's, ends the node and closes every terminal on it.
        await open.ClickAsync();
        await Assertions.Expect(status).ToHaveTextAsync($"connected as {owner}", new() { Timeout = 30_000 });
        var other = await SignedInAsync(ownerToken);
        await other.GotoAsync($"/jobs/{job.Id}");
        await other.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Assertions.Expect(other.Locator(".flash")).ToContainTextAsync("Cancel requested");
        var closed = new Regex(@"^closed: The session ended.* Node 0 has ended \(canceled\)\.$");
        await Assertions.Expect(status).ToHaveTextAsync(closed, new() { Timeout = 20_000 });
        await Assertions.Expect(watchSlot.Locator("[data-terminal-status]")).ToHaveTextAsync(closed, new() { Timeout = 20_000 });
        await Assertions.Expect(open).ToBeHiddenAsync();
        await Assertions.Expect(slot.GetByRole(AriaRole.Button, new() { Name = "Close" })).ToBeHiddenAsync();
        await terminal.WaitForExitAsync();

        // Nothing is left behind: the terminals' key folders are gone, and their sessions are over.
        await WaitUntilAsync(() => !Directory.Exists(KeyRoot) || Directory.GetFileSystemEntries(KeyRoot).Length == 0, "the terminals' keys to be deleted");
        var view = await project.SshViewAsync(job.Id);
        for (var i = 0; i < 150 && view.Sessions.Any(s => s.EndedAt is null); i++)
        {
            await Task.Delay(100);
            view = await project.SshViewAsync(job.Id);
        }

        Assert.All(view.Sessions, s => Assert.NotNull(s.EndedAt));
        Assert.Equal(3, view.Sessions.Count(s => s.Via == "web"));
        await Screenshots.SaveAsync(page, "job-terminal-closed");
        Assert.Empty(_scriptErrors);
    }

    [Fact]
    public async Task A_read_members_terminal_shows_the_secret_masked_where_the_writers_ssh_client_shows_it()
    {
        const string Secret = "Sup3rS3cretValue42";
        using var project = await PipelineProject.CreateAsync(Web, "masked", Config);
        var secret = await project.Admin.PutAsJsonAsync($"/api/projects/{project.Name}/env/SECRET", new SetVariableRequest(Secret, Secret: true), ApiJson.Options);
        Assert.True(secret.IsSuccessStatusCode, await secret.Content.ReadAsStringAsync());
        using var keys = new TempFolder();
        var (_, ownerToken) = await project.MemberAsync("owner", "admin");
        var (reader, readerToken) = await project.MemberAsync("reader", "read");
        var ownerKey = SshKeyFile.Generate(keys.Path, "owner");
        using var ownerApi = project.ClientFor(ownerToken);
        await PipelineProject.AddKeyAsync(ownerApi, ownerKey);
        var job = await project.FinishedJobAsync();
        var debug = await ownerApi.PostAsJsonAsync($"/api/jobs/{job.Id}/debug", new DebugJobRequest(Quiet: false), ApiJson.Options);
        Assert.True(debug.IsSuccessStatusCode, await debug.Content.ReadAsStringAsync());

        // The writer's ssh client prints the secret: it is there, as it is, on the writer's screen.
        var watcher = await SignedInAsync(readerToken);
        await watcher.GotoAsync($"/jobs/{job.Id}");
        var watchSlot = watcher.Locator("#terminal-0");
        var watch = watchSlot.GetByRole(AriaRole.Button, new() { Name = "Watch (read-only)" });
        await Assertions.Expect(watch).ToBeVisibleAsync(SshdUp);
        var node = (await project.SshViewAsync(job.Id)).Nodes[0];
        var ssh = new SshClient(keys.Path);
        ssh.Pin(node.Host!, node.Port!.Value, node.HostKey!);
        using var terminal = InteractiveSsh.Start(ssh, node, ownerKey);
        await terminal.TypeAsync("echo before:$SECRET\r");
        await terminal.WaitForAsync($"before:{Secret}");

        // The read member's browser terminal: what was on the screen when it joined, and what comes after, masked as the log.
        await watch.ClickAsync();
        await Assertions.Expect(watchSlot.Locator("[data-terminal-status]")).ToHaveTextAsync($"connected as {reader}, read-only", new() { Timeout = 30_000 });
        await WaitForTerminalTextAsync(watcher, "before:********");
        await terminal.TypeAsync("echo after:$SECRET-$((6*7))\r");
        await terminal.WaitForAsync($"after:{Secret}-42");
        await WaitForTerminalTextAsync(watcher, "after:********-42");
        await WaitForLogAsync(project, job.Id, "after:********-42");
        Assert.DoesNotContain(Secret, await TerminalTextAsync(watcher), StringComparison.Ordinal);
        await Assertions.Expect(watchSlot.Locator(".xterm-rows")).ToContainTextAsync("after:********-42");
        await Assertions.Expect(watchSlot.Locator(".xterm-rows")).Not.ToContainTextAsync(Secret);

        // A command sent with the secret in it is audited masked: the SSH view a read member gets shows no secret.
        var command = await ssh.SshAsync(ownerKey, node.User!, node.Host!, node.Port.Value, $"echo 'X-Token: {Secret}' >/dev/null");
        Assert.Equal(0, command.ExitCode);
        using var readerApi = project.ClientFor(readerToken);
        JobSshView? view = null;
        for (var i = 0; i < 100 && view?.Sessions.Any(s => s.Command?.StartsWith("echo 'X-Token:", StringComparison.Ordinal) == true) != true; i++)
        {
            await Task.Delay(100);
            view = await readerApi.GetFromJsonAsync<JobSshView>($"/api/jobs/{job.Id}/ssh", ApiJson.Options);
        }

        Assert.Contains(view!.Sessions, s => s.Command == "echo 'X-Token: ********' >/dev/null");
        Assert.DoesNotContain(view.Sessions, s => s.Command?.Contains(Secret, StringComparison.Ordinal) == true);

        await ownerApi.PostAsync($"/api/jobs/{job.Id}/cancel", null);
        await project.WaitForJobAsync(job.Id, j => Status.IsFinished(j.Attempts[^1].Status), seconds: 30);
        Assert.Empty(_scriptErrors);
    }

    [Fact]
    public async Task Who_may_not_enter_an_ssh_rerun_reads_why_and_its_requester_gets_a_terminal_that_fits_the_window()
    {
        using var project = await PipelineProject.CreateAsync(Web, "rerun-term", Config);
        using var keys = new TempFolder();
        var (_, ownerToken) = await project.MemberAsync("owner", "admin");
        var (_, writerToken) = await project.MemberAsync("writer", "write");
        using var ownerApi = project.ClientFor(ownerToken);
        await PipelineProject.AddKeyAsync(ownerApi, SshKeyFile.Generate(keys.Path, "owner"));
        var job = await project.FinishedJobAsync();
        var rerun = await ownerApi.PostAsJsonAsync($"/api/jobs/{job.Id}/rerun", new RerunRequest(null, Ssh: true), ApiJson.Options);
        Assert.True(rerun.IsSuccessStatusCode, await rerun.Content.ReadAsStringAsync());

        var page = await SignedInAsync(ownerToken);
        await page.GotoAsync($"/jobs/{job.Id}");
        var slot = page.Locator("#terminal-0");
        var open = slot.GetByRole(AriaRole.Button, new() { Name = "Open terminal" });
        await Assertions.Expect(open).ToBeVisibleAsync(SshdUp);

        // A writer of a project that lets only the requester in: the reason, in the terminal endpoint's words, and no button.
        var writer = await SignedInAsync(writerToken);
        await writer.GotoAsync($"/jobs/{job.Id}");
        var owner = (await project.SshViewAsync(job.Id)).RequestedBy;
        await Assertions.Expect(writer.Locator("#terminal-0 [data-refusal='terminal']")).ToHaveTextAsync(
            $"Open terminal: only {owner}, who asked for this SSH rerun, may enter its nodes: project {project.Name} does not let its other members in.");
        await Assertions.Expect(writer.Locator("#ssh-command-0")).ToBeVisibleAsync(SshdUp);
        await Assertions.Expect(writer.Locator("#terminal-0 button")).ToHaveCountAsync(0);
        await Screenshots.SaveAsync(writer, "job-terminal-refused");

        // Allowed when the page was made, refused when the button is pressed: the terminal says why, in the endpoint's words.
        await project.SettingsAsync(new ProjectSettingsRequest(DebugEnabled: false, SshWriteMembers: null));
        await open.ClickAsync();
        await Assertions.Expect(slot.Locator("[data-terminal-status]")).ToHaveTextAsync(
            $"closed: SSH is switched off for project {project.Name} (debug_enabled is off), so no terminal opens on its nodes.");
        await Assertions.Expect(open).ToBeVisibleAsync();
        await project.SettingsAsync(new ProjectSettingsRequest(DebugEnabled: true, SshWriteMembers: null));

        // The requester's terminal: a login shell whose width is the fitted terminal's, on a wide window and on a phone's.
        await open.ClickAsync();
        await Assertions.Expect(slot.Locator("[data-terminal-status]")).ToHaveTextAsync(new Regex("^connected as "), new() { Timeout = 30_000 });
        await ExpectColumnsAsync(page, "wide");
        await page.SetViewportSizeAsync(375, 740);
        await WaitForColumnsToSettleAsync(page);
        var narrow = await ExpectColumnsAsync(page, "narrow");
        Assert.InRange(narrow, 20, 50);
        var screen = await slot.Locator("[data-terminal-screen]").BoundingBoxAsync();
        var rows = await slot.Locator(".xterm-screen").BoundingBoxAsync();
        Assert.True(rows!.Width <= screen!.Width, $"the terminal ({rows.Width} px) fits its screen ({screen.Width} px)");
        Assert.Empty(await page.EvaluateAsync<string[]>("() => window.cspViolations"));
        await Screenshots.SaveAsync(page, "job-terminal-phone");

        // Close: the browser's ssh client ends; it was the node's only session, so Wait for SSH ends the node (R-SSH-8).
        await slot.GetByRole(AriaRole.Button, new() { Name = "Close" }).ClickAsync();
        await Assertions.Expect(slot.Locator("[data-terminal-status]")).ToHaveTextAsync(new Regex("^closed: you closed the terminal\\."));
        await project.WaitForJobAsync(job.Id, j => Status.IsFinished(j.Attempts[^1].Status), seconds: 30);
        await WaitUntilAsync(() => !Directory.Exists(KeyRoot) || Directory.GetFileSystemEntries(KeyRoot).Length == 0, "the terminal's key to be deleted");
        Assert.Empty(_scriptErrors);
    }

    [Fact]
    public async Task The_pages_policy_admits_styles_only_with_the_responses_nonce_and_style_attributes()
    {
        using var client = new HttpClient { BaseAddress = Web.Address };
        var first = Policy(await client.GetAsync("/sign-in"));
        var second = Policy(await client.GetAsync("/sign-in"));

        var nonce = Regex.Match(first["style-src"], "^'self' 'nonce-([A-Za-z0-9+/=]{24})'$");
        Assert.True(nonce.Success, first["style-src"]);
        Assert.NotEqual(first["style-src"], second["style-src"]);
        Assert.Equal("'unsafe-inline'", first["style-src-attr"]);
        Assert.Equal("'self'", first["script-src"]);
        Assert.Equal("'self'", first["connect-src"]);

        // In the browser: a <style> without the nonce is refused, one with it applies.
        var page = await Web.NewPageAsync();
        await page.AddInitScriptAsync(RecordCspViolations);
        var response = await page.GotoAsync("/sign-in");
        var pageNonce = Regex.Match(response!.Headers["content-security-policy"], "'nonce-([^']+)'").Groups[1].Value;
        var colours = await page.EvaluateAsync<string[]>("""
            nonce => {
              const probe = (id, withNonce) => {
                const style = document.createElement("style");
                if (withNonce) { style.nonce = nonce; }
                style.textContent = "#" + id + " { color: rgb(1, 2, 3); }";
                document.head.append(style);
                const element = document.createElement("p");
                element.id = id;
                document.body.append(element);
                return getComputedStyle(element).color;
              };
              return [probe("injected", false), probe("allowed", true)];
            }
            """, pageNonce);
        Assert.NotEqual("rgb(1, 2, 3)", colours[0]);
        Assert.Equal("rgb(1, 2, 3)", colours[1]);
        Assert.Contains(await page.EvaluateAsync<string[]>("() => window.cspViolations"), v => v.StartsWith("style-src-elem", StringComparison.Ordinal));
    }

    private static Dictionary<string, string> Policy(HttpResponseMessage response) =>
        string.Join(";", response.Headers.GetValues("Content-Security-Policy"))
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => d.Split(' ', 2))
            .ToDictionary(d => d[0], d => d.Length > 1 ? d[1] : "", StringComparer.Ordinal);

    private async Task<IPage> SignedInAsync(string token)
    {
        var page = await Web.SignedInPageAsync(token);
        await page.AddInitScriptAsync(RecordCspViolations);
        page.PageError += (_, error) => _scriptErrors.Enqueue(error);
        return page;
    }

    /// <summary>Asks the shell for its width (<c>tput cols</c>) and checks it is the browser terminal's; returns it.</summary>
    private static async Task<int> ExpectColumnsAsync(IPage page, string marker)
    {
        var columns = await page.EvaluateAsync<int>("() => window.portholeTerminals[0].terminal.cols");
        await page.Keyboard.TypeAsync($"echo cols-{marker}=$(tput cols)");
        await page.Keyboard.PressAsync("Enter");
        await WaitForTerminalTextAsync(page, $"cols-{marker}={columns}");
        return columns;
    }

    /// <summary>Waits out the resize's debounce: the terminal's width the same twice, 400 ms apart.</summary>
    private static async Task WaitForColumnsToSettleAsync(IPage page)
    {
        var last = -1;
        while (true)
        {
            await Task.Delay(400);
            var columns = await page.EvaluateAsync<int>("() => window.portholeTerminals[0].terminal.cols");
            if (columns == last)
            {
                return;
            }

            last = columns;
        }
    }

    private static Task<string> TerminalTextAsync(IPage page) =>
        page.EvaluateAsync<string>("() => window.portholeTerminals[0].text()");

    private static async Task WaitForTerminalTextAsync(IPage page, string text)
    {
        try
        {
            await page.WaitForFunctionAsync("text => window.portholeTerminals?.[0]?.text().includes(text)", text, new() { Timeout = 20_000 });
        }
        catch (TimeoutException)
        {
            Assert.Fail($"'{text}' never showed in the browser terminal:\n{await TerminalTextAsync(page)}");
        }
    }

    private static async Task<string> LogAsync(PipelineProject project, long jobId) =>
        await project.Admin.GetStringAsync($"/api/jobs/{jobId}/log?node=0");

    private static async Task WaitForLogAsync(PipelineProject project, long jobId, string text)
    {
        var log = "";
        for (var i = 0; i < 200; i++)
        {
            log = await LogAsync(project, jobId);
            if (log.Contains(text, StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"'{text}' never reached the job's log:\n{log}");
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = TimeProvider.System.GetUtcNow().AddSeconds(15);
        while (!condition())
        {
            Assert.True(TimeProvider.System.GetUtcNow() < deadline, $"waited 15 s for {what}");
            await Task.Delay(50);
        }
    }
}
