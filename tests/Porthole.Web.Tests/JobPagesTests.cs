using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Porthole.Contracts.Api;
using Porthole.Server.Tests.Support;
using Porthole.Web.Tests.Support;

namespace Porthole.Web.Tests;

/// <summary>
/// The project, pipeline and job pages against the real server and runner: trigger from the page, the live log with its
/// colours, the Rerun menu by keyboard, the SSH panel filled by a real sshd and a real ssh client, the buttons and their
/// reasons per role, cancel, and a pipeline id where a job id belongs.
/// </summary>
public sealed class JobPagesTests(WebFixture web) : WebTest(web)
{
    // A step that prints a line, sleeps, prints another (the live log), with colour; then a step that fails.
    private const string Config = """
        version: 2
        jobs:
          build:
            steps:
              - run:
                  name: Print slowly
                  command: |
                    echo "first line"
                    printf '\e[31mred words\e[0m and \e[1;38;5;208mbold orange\e[0m\n'
                    sleep 3
                    echo "second line"
              - run:
                  name: Fail on purpose
                  command: |
                    echo "about to fail"
                    exit 3
        workflows:
          main:
            jobs: [build]
        """;

    private static readonly PageAssertionsToHaveURLOptions Slow = new() { Timeout = 30_000 };

    [Fact]
    public async Task A_pipeline_triggered_from_the_project_page_shows_its_log_live_with_colours_and_its_failed_step_open()
    {
        using var project = await PipelineProject.CreateAsync(Web, "live", Config);
        var page = await Web.SignedInPageAsync();

        await page.GotoAsync("/projects");
        await page.GetByRole(AriaRole.Link, new() { Name = project.Name }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync(project.Name);
        await page.GetByLabel("Branch or tag").FillAsync("main");
        await page.GetByRole(AriaRole.Button, new() { Name = "Trigger pipeline" }).ClickAsync();

        await Assertions.Expect(page).ToHaveURLAsync(new Regex(@"/pipelines/\d+$"));
        await Assertions.Expect(page.Locator(".flash")).ToHaveTextAsync("Pipeline #1 triggered on main.");
        await Assertions.Expect(page.Locator(".trigger-source")).ToHaveTextAsync("source api");
        await page.GetByRole(AriaRole.Link, new() { Name = "build", Exact = true }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex(@"/jobs/\d+$"));

        // The first line appears, then the second, on the same page: no reload in between.
        await page.EvaluateAsync("() => { window.sameDocument = true; }");
        var printing = page.Locator("details.step", new() { Has = page.Locator(".step-name", new() { HasText = "Print slowly" }) });
        var log = printing.Locator(".log");
        await Assertions.Expect(log).ToContainTextAsync("first line", new() { Timeout = 30_000 });
        Assert.DoesNotContain("second line", await log.TextContentAsync(), StringComparison.Ordinal);
        await Assertions.Expect(log).ToContainTextAsync("second line", new() { Timeout = 10_000 });
        Assert.True(await page.EvaluateAsync<bool>("() => window.sameDocument === true"));

        // Colours are spans with the palette's class (and 256 colours an inline colour), never markup from the log.
        var red = log.Locator("span.ansi-fg-1", new() { HasText = "red words" });
        await Assertions.Expect(red).ToBeVisibleAsync();
        Assert.Equal("rgb(255, 123, 114)", await red.EvaluateAsync<string>("e => getComputedStyle(e).color"));
        var orange = log.Locator("span.ansi-bold", new() { HasText = "bold orange" });
        Assert.Equal("rgb(255, 135, 0)", await orange.EvaluateAsync<string>("e => getComputedStyle(e).color"));
        Assert.DoesNotContain("\u001b", await log.TextContentAsync(), StringComparison.Ordinal);

        // The failing step appears, its status updates, and it stays open.
        var failing = page.Locator("details.step", new() { Has = page.Locator(".step-name", new() { HasText = "Fail on purpose" }) });
        await Assertions.Expect(failing.Locator(".status")).ToHaveTextAsync("failed", new() { Timeout = 30_000 });
        await Assertions.Expect(failing.Locator(".step-exit")).ToHaveTextAsync("exit 3");
        await Assertions.Expect(failing.Locator(".log")).ToContainTextAsync("about to fail");
        await Assertions.Expect(page.Locator("[data-job-status] .status")).ToHaveTextAsync("failed", new() { Timeout = 10_000 });

        // Loaded afresh, the failed step is open with its log, the successful one closed until opened.
        await page.ReloadAsync();
        await Assertions.Expect(failing).ToHaveAttributeAsync("open", "");
        await Assertions.Expect(failing.Locator(".log")).ToContainTextAsync("about to fail");
        await Assertions.Expect(printing).Not.ToHaveAttributeAsync("open", "");
        await printing.Locator("summary").ClickAsync();
        await Assertions.Expect(log).ToContainTextAsync("second line");
        await Assertions.Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Breadcrumb" }).Locator("li"))
            .ToHaveTextAsync([ "Projects", project.Name, "Pipeline #1", "Workflow main", "build" ]);
        await Screenshots.SaveAsync(page, "job", narrowToo: true);

        await page.GetByRole(AriaRole.Navigation, new() { Name = "Breadcrumb" }).GetByRole(AriaRole.Link, new() { Name = "Pipeline #1" }).ClickAsync();
        await Assertions.Expect(page.Locator("tr[data-job] td[data-label='Status']")).ToHaveTextAsync("failed");
        await Screenshots.SaveAsync(page, "pipeline", narrowToo: true);
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Breadcrumb" }).GetByRole(AriaRole.Link, new() { Name = project.Name }).ClickAsync();
        await Assertions.Expect(page.Locator("table.pipelines tbody tr")).ToHaveCountAsync(1);
        await Screenshots.SaveAsync(page, "project", narrowToo: true);
    }

    [Fact]
    public async Task Rerun_job_with_ssh_from_the_keyboard_fills_the_ssh_panel_lists_sessions_and_refused_keys_and_cancel_ends_it()
    {
        using var project = await PipelineProject.CreateAsync(Web, "ssh", Config);
        using var keys = new TempFolder();
        var (_, token) = await project.MemberAsync("writer", "write");
        var mine = SshKeyFile.Generate(keys.Path, "mine");
        var stranger = SshKeyFile.Generate(keys.Path, "stranger");
        using (var writer = project.ClientFor(token))
        {
            await PipelineProject.AddKeyAsync(writer, mine);
        }

        var job = await project.FinishedJobAsync();
        var page = await Web.SignedInPageAsync(token);
        await page.GotoAsync($"/jobs/{job.Id}");

        // The Rerun menu: Enter opens it, Escape closes it and gives the focus back, Tab reaches its items.
        var menu = page.Locator("#rerun-menu");
        var summary = menu.Locator("summary");
        await Keyboard.TabToAsync(page, summary);
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(menu).ToHaveAttributeAsync("open", "");
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(menu).Not.ToHaveAttributeAsync("open", "");
        Assert.True(await summary.EvaluateAsync<bool>("e => e === document.activeElement"));
        await page.Keyboard.PressAsync("Enter");
        var withSsh = page.GetByRole(AriaRole.Button, new() { Name = "Rerun job with SSH" });
        await Keyboard.TabToAsync(page, withSsh);
        await Screenshots.SaveAsync(page, "rerun-menu");
        await page.Keyboard.PressAsync("Enter");

        await Assertions.Expect(page.Locator(".flash")).ToContainTextAsync("Rerun with SSH started: attempt 2");
        var panel = page.Locator("#ssh-panel");
        var command = panel.Locator("#ssh-command-0");
        await Assertions.Expect(command).ToHaveTextAsync(new Regex(@"^ssh -p \d+ \S+@\S+$"), new() { Timeout = 30_000 });
        await Assertions.Expect(panel.GetByRole(AriaRole.Button, new() { Name = "Copy the ssh command of node 0" })).ToBeVisibleAsync();
        await Assertions.Expect(panel.Locator("[data-field='accepted']")).ToContainTextAsync(mine.Fingerprint);

        // The command and host key the page shows are the node's: a real ssh client, the host key pinned, gets in.
        var node = (await project.SshViewAsync(job.Id)).Nodes[0];
        Assert.Equal(node.Command, await command.TextContentAsync());
        await Assertions.Expect(panel.Locator("[data-field='host-key-fingerprint']")).ToHaveTextAsync(node.HostKeyFingerprint!);
        var ssh = new SshClient(keys.Path);
        ssh.Pin(node.Host!, node.Port!.Value, node.HostKey!);
        using var session = ssh.StartInteractive(mine, node.User!, node.Host!, node.Port.Value, "echo connected; sleep 300");
        Assert.Equal("connected", await session.StandardOutput.ReadLineAsync());
        var live = panel.Locator("[data-ssh-sessions] tr.live");
        await Assertions.Expect(live).ToHaveCountAsync(1, new() { Timeout = 10_000 });
        await Assertions.Expect(live).ToContainTextAsync("connected");
        await Assertions.Expect(live.Locator("td[data-label='From']")).ToHaveTextAsync("127.0.0.1");

        // A key nobody registered is refused, and the panel says why.
        var refused = await ssh.SshAsync(stranger, node.User!, node.Host!, node.Port.Value, "true");
        Assert.NotEqual(0, refused.ExitCode);
        var refusedRow = panel.Locator("[data-ssh-refused] tr", new() { HasText = stranger.Fingerprint });
        await Assertions.Expect(refusedRow).ToContainTextAsync("not registered to any user", new() { Timeout = 10_000 });
        await panel.ScrollIntoViewIfNeededAsync();
        await Screenshots.SaveAsync(page, "ssh-panel", narrowToo: true);

        // The project's admin ends one session from the panel; a second one keeps the node (R-SSH-8).
        using var second = ssh.StartInteractive(mine, node.User!, node.Host!, node.Port.Value, "echo second; sleep 300");
        Assert.Equal("second", await second.StandardOutput.ReadLineAsync());
        var admin = await Web.SignedInPageAsync();
        await admin.GotoAsync($"/jobs/{job.Id}");
        var adminPanel = admin.Locator("#ssh-panel");
        await Assertions.Expect(adminPanel.Locator("[data-ssh-sessions] tr.live")).ToHaveCountAsync(2, new() { Timeout = 10_000 });
        await adminPanel.Locator("[data-ssh-sessions] tr.live", new() { HasText = "echo connected" })
            .GetByRole(AriaRole.Button, new() { Name = "End session" }).ClickAsync();
        await Assertions.Expect(admin.Locator(".flash")).ToContainTextAsync("Ending the session of writer-");
        using (var ended = new CancellationTokenSource(TimeSpan.FromSeconds(15)))
        {
            await session.WaitForExitAsync(ended.Token);
        }

        await Assertions.Expect(adminPanel.Locator("[data-ssh-sessions] tr.ended", new() { HasText = "echo connected" }))
            .ToContainTextAsync("by admin", new() { Timeout = 10_000 });
        Assert.False(second.HasExited);
        await Screenshots.SaveAsync(admin, "ssh-panel-admin");

        // Cancel from the page ends the node and the session left.
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Assertions.Expect(page.Locator(".flash")).ToContainTextAsync("Cancel requested");
        using (var closed = new CancellationTokenSource(TimeSpan.FromSeconds(15)))
        {
            await second.WaitForExitAsync(closed.Token);
        }

        await Assertions.Expect(panel.Locator("[data-ssh-node='0'] .status")).ToHaveTextAsync("canceled", new() { Timeout = 15_000 });
        await Assertions.Expect(panel.Locator("[data-ssh-sessions] tr.live")).ToHaveCountAsync(0, new() { Timeout = 10_000 });
        var after = await project.JobAsync(job.Id);
        Assert.Equal(Status.Canceled, after.Attempts[^1].Status);
        Assert.Equal(Status.Failed, after.Status);
    }

    [Fact]
    public async Task The_buttons_show_to_those_allowed_and_the_reasons_to_the_others()
    {
        using var project = await PipelineProject.CreateAsync(Web, "roles", Config);
        using var keys = new TempFolder();
        var (_, readerToken) = await project.MemberAsync("reader", "read");
        var (_, keylessToken) = await project.MemberAsync("keyless", "write");
        var (_, debuggerToken) = await project.MemberAsync("debugger", "write");
        using (var client = project.ClientFor(debuggerToken))
        {
            await PipelineProject.AddKeyAsync(client, SshKeyFile.Generate(keys.Path, "debugger"));
        }

        var job = await project.FinishedJobAsync();

        var reader = await Web.SignedInPageAsync(readerToken);
        await reader.GotoAsync($"/jobs/{job.Id}");
        await Assertions.Expect(reader.Locator("[data-refusal='debug']")).ToHaveTextAsync(new Regex("^Debug job: read-only access; no SSH key: add one on the Keys page$"));
        await Assertions.Expect(reader.Locator("[data-refusal='rerun']")).ToHaveTextAsync("Rerun: read-only access");
        await Assertions.Expect(reader.GetByRole(AriaRole.Button, new() { Name = "Debug job" })).ToHaveCountAsync(0);
        await Assertions.Expect(reader.Locator("#rerun-menu")).ToHaveCountAsync(0);
        await Screenshots.SaveAsync(reader, "job-read-only");
        await reader.GotoAsync($"/pipelines/{job.PipelineId}");
        await Assertions.Expect(reader.Locator("[data-refusal='debug']")).ToContainTextAsync("Debug build: read-only access");
        await reader.GotoAsync(PipelineProjectPath(project));
        await Assertions.Expect(reader.Locator("[data-refusal='trigger']")).ToHaveTextAsync("Trigger pipeline: read-only access");
        await Assertions.Expect(reader.Locator("a", new() { HasText = "Project settings" })).ToHaveCountAsync(0);

        var keyless = await Web.SignedInPageAsync(keylessToken);
        await keyless.GotoAsync($"/jobs/{job.Id}");
        await Assertions.Expect(keyless.Locator("[data-refusal='debug']")).ToHaveTextAsync("Debug job: no SSH key: add one on the Keys page");
        await Assertions.Expect(keyless.Locator("[data-refusal='debug'] a")).ToHaveAttributeAsync("href", "/keys");
        await keyless.Locator("#rerun-menu summary").ClickAsync();
        await Assertions.Expect(keyless.Locator("[data-refusal='rerun-ssh']")).ToHaveTextAsync("Rerun job with SSH: no SSH key: add one on the Keys page");
        await Assertions.Expect(keyless.GetByRole(AriaRole.Button, new() { Name = "Rerun job", Exact = true })).ToBeVisibleAsync();

        // The one job of the pipeline: "Debug build" debugs it, and the job page shows the debug run's panel.
        var debugger = await Web.SignedInPageAsync(debuggerToken);
        await debugger.GotoAsync($"/pipelines/{job.PipelineId}");
        await debugger.GetByLabel("quiet").CheckAsync();
        await debugger.GetByRole(AriaRole.Button, new() { Name = "Debug build" }).ClickAsync();
        await Assertions.Expect(debugger).ToHaveURLAsync(new Regex($"/jobs/{job.Id}$"));
        await Assertions.Expect(debugger.Locator(".flash")).ToContainTextAsync("Debug run started in quiet mode");
        await Assertions.Expect(debugger.Locator("#ssh-panel h2")).ToHaveTextAsync("Debug session");
        await Assertions.Expect(debugger.Locator("#ssh-command-0")).ToHaveTextAsync(new Regex(@"^ssh -p \d+ "), new() { Timeout = 30_000 });
        await debugger.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await project.WaitForJobAsync(job.Id, j => Status.IsFinished(j.Attempts[^1].Status), seconds: 30);

        // Debug mode off for the project: every writer is told so.
        await project.SettingsAsync(new ProjectSettingsRequest(DebugEnabled: false, SshWriteMembers: null));
        await debugger.GotoAsync($"/jobs/{job.Id}");
        await Assertions.Expect(debugger.Locator("[data-refusal='debug']")).ToHaveTextAsync("Debug job: debug mode not enabled for this project");
    }

    [Fact]
    public async Task A_pipeline_id_at_a_job_address_lists_the_pipelines_jobs_and_an_unknown_id_is_a_404_page()
    {
        using var project = await PipelineProject.CreateAsync(Web, "ids", Config);
        var pipeline = await project.TriggerAsync();
        var jobId = pipeline.Workflows[0].Jobs[0].Id;
        var page = await Web.SignedInPageAsync();

        var response = await page.GotoAsync($"/jobs/{pipeline.Id}");
        Assert.Equal(404, response!.Status);
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync($"{pipeline.Id} is a pipeline id, not a job id; its jobs are:");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = $"job {jobId}" })).ToHaveAttributeAsync("href", $"/jobs/{jobId}");
        await Screenshots.SaveAsync(page, "pipeline-id-as-job-id");

        var unknown = await page.GotoAsync("/jobs/987654321");
        Assert.Equal(404, unknown!.Status);
        await Assertions.Expect(page.Locator("main .lead")).ToHaveTextAsync("There is no job 987654321 that you can see.");
        var noPipeline = await page.GotoAsync("/pipelines/987654321");
        Assert.Equal(404, noPipeline!.Status);
        await Assertions.Expect(page.Locator("main .lead")).ToHaveTextAsync("There is no pipeline 987654321 that you can see.");
        Assert.Equal(404, (await page.GotoAsync("/projects/no-such-project"))!.Status);
        await project.WaitForJobAsync(jobId, j => Status.IsFinished(j.Status));
    }

    [Fact]
    public async Task A_long_log_shows_its_last_lines_with_a_link_to_the_whole_log()
    {
        const string config = """
            version: 2
            jobs:
              build:
                steps:
                  - run:
                      name: Many lines
                      command: seq 1 30000
            workflows:
              main:
                jobs: [build]
            """;
        using var project = await PipelineProject.CreateAsync(Web, "long", config);
        var job = await project.FinishedJobAsync();
        var page = await Web.SignedInPageAsync();
        await page.GotoAsync($"/jobs/{job.Id}");

        var step = page.Locator("details.step", new() { Has = page.Locator(".step-name", new() { HasText = "Many lines" }) });
        await step.Locator("summary").ClickAsync();
        var log = step.Locator(".log");
        await Assertions.Expect(log.Locator(".line").Last).ToHaveTextAsync("30000");
        Assert.InRange(await log.Locator(".line").CountAsync(), 4000, 5000);
        var whole = step.GetByRole(AriaRole.Link, new() { Name = "Show the whole log" });
        await Assertions.Expect(whole).ToHaveAttributeAsync("href", $"/api/jobs/{job.Id}/log?attempt=1&node=0&step=0");
        var plain = await page.APIRequest.GetAsync((await whole.GetAttributeAsync("href"))!);
        Assert.Contains("\n1\n2\n3\n", await plain.TextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Escape_sequences_become_colours_or_nothing_and_log_text_never_becomes_markup()
    {
        const string config = """
            version: 2
            jobs:
              build:
                steps:
                  - run:
                      name: Escapes
                      command: |
                        printf 'a\e]0;window title\abc\e[2K\e[1Gd\n'
                        printf 'progress 10%%\rprogress 100%%\n'
                        printf '\e[38;2;10;20;30mtrue\e[0m \e[48;5;21mblue\e[0m \e[4;3mstyled\e[m plain\n'
                        printf '<img src=x onerror=alert(1)> & <b>not bold</b>\n'
            workflows:
              main:
                jobs: [build]
            """;
        using var project = await PipelineProject.CreateAsync(Web, "escapes", config);
        var job = await project.FinishedJobAsync();
        var page = await Web.SignedInPageAsync();
        await page.GotoAsync($"/jobs/{job.Id}");
        var step = page.Locator("details.step", new() { Has = page.Locator(".step-name", new() { HasText = "Escapes" }) });
        await step.Locator("summary").ClickAsync();
        var lines = step.Locator(".log .line");

        await Assertions.Expect(lines).ToHaveTextAsync(["==> Escapes", "abcd", "progress 100%", "true blue styled plain", "<img src=x onerror=alert(1)> & <b>not bold</b>"]);
        Assert.Equal("rgb(10, 20, 30)", await lines.Nth(3).Locator("span", new() { HasText = "true" }).EvaluateAsync<string>("e => getComputedStyle(e).color"));
        Assert.Equal("rgb(0, 0, 255)", await lines.Nth(3).Locator("span", new() { HasText = "blue" }).EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor"));
        var styled = lines.Nth(3).Locator("span.ansi-underline.ansi-italic");
        await Assertions.Expect(styled).ToHaveTextAsync("styled");
        await Assertions.Expect(lines.Nth(4).Locator("img, b")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Rerun_workflow_from_failed_from_the_pipeline_page_starts_a_new_attempt()
    {
        using var project = await PipelineProject.CreateAsync(Web, "rerun", Config);
        var job = await project.FinishedJobAsync();
        var page = await Web.SignedInPageAsync();
        await page.GotoAsync($"/pipelines/{job.PipelineId}");

        await page.Locator($"#rerun-workflow-{job.WorkflowId} summary").ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Rerun workflow from failed" }).ClickAsync();
        await Assertions.Expect(page.Locator(".flash")).ToHaveTextAsync("Workflow main rerun from failed: build (attempt 2).");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/pipelines/{job.PipelineId}$"), Slow);
        await project.WaitForJobAsync(job.Id, j => j.Attempts.Count == 2 && Status.IsFinished(j.Attempts[^1].Status));
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator(".flash")).ToHaveCountAsync(0);
        await page.GotoAsync($"/jobs/{job.Id}?attempt=1");
        await Assertions.Expect(page.Locator("tr.selected")).ToContainTextAsync("1 (shown)");
        await Assertions.Expect(page.Locator("tr[data-attempt='2'] td[data-label='Reason']")).ToHaveTextAsync("rerun from failed");
    }

    private static string PipelineProjectPath(PipelineProject project) => "/projects/" + project.Name;
}
