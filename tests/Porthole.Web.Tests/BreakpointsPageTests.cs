using Microsoft.Playwright;
using Porthole.Contracts.Api;
using Porthole.Server.Tests.Support;
using Porthole.Web.Tests.Support;

namespace Porthole.Web.Tests;

/// <summary>
/// Breakpoints from the job page (R-BEY-4): the Rerun menu's "stop before step" and "stop at the first failure", and
/// Debug job's "from step", start debug runs that the page then names with their breakpoint.
/// </summary>
public sealed class BreakpointsPageTests(WebFixture web) : WebTest(web)
{
    private const string Config = """
        version: 2
        jobs:
          build:
            steps:
              - run:
                  name: Say hello
                  command: echo hello
              - run:
                  name: Fail on purpose
                  command: exit 3
        workflows:
          main:
            jobs: [build]
        """;

    [Fact]
    public async Task Stop_before_a_step_from_the_rerun_menu_and_debug_from_a_step_name_the_breakpoint()
    {
        using var project = await PipelineProject.CreateAsync(Web, "break", Config);
        using var keys = new TempFolder();
        var (_, token) = await project.MemberAsync("writer", "write");
        using (var writer = project.ClientFor(token))
        {
            await PipelineProject.AddKeyAsync(writer, SshKeyFile.Generate(keys.Path, "mine"));
        }

        var job = await project.FinishedJobAsync();
        var page = await Web.SignedInPageAsync(token);
        await page.GotoAsync($"/jobs/{job.Id}");

        await page.Locator("#rerun-menu summary").ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Rerun with SSH, stop at the first failure" })).ToBeVisibleAsync();
        await page.GetByLabel("Rerun with SSH, stop before step").SelectOptionAsync("1");
        await page.Locator("form[data-form='break-before'] button").ClickAsync();
        await Assertions.Expect(page.Locator(".flash")).ToContainTextAsync(
            "Rerun with SSH started: attempt 2, a debug run that runs the steps before step 1 (Fail on purpose), then stops there.");
        await Assertions.Expect(page.Locator("tr[data-attempt='2'] [data-field='breakpoint']")).ToHaveTextAsync("· debug run, stopping before step 1 (Fail on purpose)");
        await CancelAsync(project, job.Id);

        await page.ReloadAsync();
        await page.Locator("[data-field='from-step']").SelectOptionAsync("1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Debug job" }).ClickAsync();
        await Assertions.Expect(page.Locator(".flash")).ToContainTextAsync(
            "Debug run started: attempt 3. It runs the steps before step 1 (Fail on purpose), then stops there;");
        await Assertions.Expect(page.Locator("tr[data-attempt='3'] [data-field='breakpoint']")).ToHaveTextAsync("· debug run, stopping before step 1 (Fail on purpose)");
        await CancelAsync(project, job.Id);

        var attempts = (await project.JobAsync(job.Id)).Attempts;
        Assert.Equal([(true, 1), (true, 1)], attempts.Skip(1).Select(a => (a.Debug, a.BreakBefore ?? -1)));
    }

    private static async Task CancelAsync(PipelineProject project, long jobId)
    {
        var response = await project.Admin.PostAsync($"/api/jobs/{jobId}/cancel", null);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        await project.WaitForJobAsync(jobId, j => Status.IsFinished(j.Attempts[^1].Status));
    }
}
