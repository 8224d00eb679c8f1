using Porthole.Cli;
using Porthole.Contracts.Api;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.Approvals;

/// <summary><c>porthole pipelines</c>, <c>jobs</c> and <c>approve</c> against the real server: the hold is shown, approved, and who approved it.</summary>
public sealed class ApproveCliTests(ApprovalServer fixture) : IClassFixture<ApprovalServer>, IDisposable
{
    private readonly TempFolder _home = new();

    public void Dispose() => _home.Dispose();

    [Fact]
    public async Task Pipelines_and_jobs_show_the_hold_and_approve_releases_it()
    {
        var project = await fixture.ProjectAsync(ApprovalServer.HoldBeforeDeploy);
        var pipeline = await fixture.Server.TriggerAsync(project);
        var waiting = await fixture.WaitForJobStatusAsync(pipeline.Id, "hold", Status.OnHold, Status.OnHold);
        var hold = waiting.Workflows[0].Jobs.Single(j => j.Name == "hold");
        var id = hold.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var pipelineId = pipeline.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var pipelines = await RunAsync("pipelines", project);
        Assert.Equal(0, pipelines.Code);
        Assert.Contains(" on_hold ", pipelines.Out, StringComparison.Ordinal);
        Assert.Contains($"on_hold: waiting for an approval; see its approval jobs with porthole jobs {pipelineId}", pipelines.Out, StringComparison.Ordinal);

        var jobs = await RunAsync("jobs", pipelineId);
        Assert.Equal(0, jobs.Code);
        Assert.Contains("hold (approval)", jobs.Out, StringComparison.Ordinal);
        Assert.Contains($"job {id} hold is on hold, waiting for approval: porthole approve {id}", jobs.Out, StringComparison.Ordinal);

        var approve = await RunAsync("approve", id);
        Assert.Equal(0, approve.Code);
        Assert.Equal($"job {id} hold approved by admin: success\nfollow the workflow: porthole jobs {pipelineId}\n", approve.Out);
        Assert.Equal(Status.Success, (await fixture.Server.WaitForPipelineAsync(pipeline.Id)).Status);

        var again = await RunAsync("approve", id);
        Assert.Equal(1, again.Code);
        Assert.Contains("has already been approved by admin", again.Err, StringComparison.Ordinal);
        Assert.EndsWith("(approval_not_on_hold)\n", again.Err, StringComparison.Ordinal);

        var deploy = waiting.Workflows[0].Jobs.Single(j => j.Name == "deploy").Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var notApproval = await RunAsync("approve", deploy);
        Assert.Equal(1, notApproval.Code);
        Assert.Contains("is not an approval job", notApproval.Err, StringComparison.Ordinal);

        var after = await RunAsync("jobs", pipelineId);
        Assert.Contains($"job {id} hold approved by admin at ", after.Out, StringComparison.Ordinal);
    }

    private async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var token = File.ReadAllText(Path.Combine(fixture.Server.DataDirectory, "admin-token")).Trim();
        var environment = new Dictionary<string, string>
        {
            ["PORTHOLE_SERVER"] = fixture.Server.Address.ToString(),
            ["PORTHOLE_TOKEN"] = token,
            ["PORTHOLE_CONFIG"] = Path.Combine(_home.Path, "no-config.json"),
            ["HOME"] = _home.Path,
        };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var code = await Cli.Cli.RunAsync(args, CliContext.Create(output, error, environment), timeout.Token);
        return (code, output.ToString(), error.ToString());
    }
}
