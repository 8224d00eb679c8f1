using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Api;
using Porthole.Server.Tests.JobData;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.Breakpoints;

/// <summary>
/// Breakpoints from the request to the attempt (R-BEY-4, issue 15): <c>POST /api/jobs/{id}/rerun</c> with
/// <c>break_before</c> (an index or a step's name) or <c>break_on_failure</c>, and <c>POST /api/jobs/{id}/debug</c> with
/// <c>from_step</c>, make a debug attempt that stores the breakpoint, shows it, and hands it to the runner in the lease's
/// <c>DebugRequest</c>; the refusals say why. The real server and SQLite, with no runner: the test leases as one would.
/// </summary>
public sealed class BreakpointsApiTests : IAsyncLifetime
{
    private const string Config = """
        version: 2
        jobs:
          build:
            steps:
              - checkout
              - run:
                  name: Install deps
                  command: echo deps
              - run:
                  name: Run tests
                  command: echo tests
              - run:
                  name: Run tests
                  command: echo again
        """;

    private readonly TempFolder _data = new();
    private readonly TempFolder _keys = new();
    private GitRepository _repository = null!;
    private JobDataServer _server = null!;
    private long _jobId;

    public async Task InitializeAsync()
    {
        _repository = GitRepository.WithFiles((".circleci/config.yml", Config));
        _server = await JobDataServer.StartAsync(_data.Path);
        await _server.AddProjectAsync("app", _repository.Path);
        await _server.Client.AddKeyAsync(SshKeyFile.Generate(_keys.Path, "mine"));
        _jobId = (await _server.TriggerAsync("app")).Workflows[0].Jobs[0].Id;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _repository.Dispose();
        _keys.Dispose();
        _data.Dispose();
    }

    [Fact]
    public async Task By_index_by_name_at_the_failure_and_from_a_step_the_attempt_is_a_debug_attempt_that_carries_its_breakpoint()
    {
        await CancelAsync();

        var byIndex = await RerunAsync(new RerunRequest(null, true) { BreakBefore = "2" });
        Assert.Equal((2, "rerun_with_ssh", true, true, 2, "Run tests", false), Shape(byIndex));
        Assert.Equal("debug run, stopping before step 2 (Run tests)", BreakpointText.Of(byIndex));
        await CancelAsync();

        var byName = await RerunAsync(new RerunRequest(null, true) { BreakBefore = "Install deps" });
        Assert.Equal((3, "rerun_with_ssh", true, true, 1, "Install deps", false), Shape(byName));
        await CancelAsync();

        var atFailure = await RerunAsync(new RerunRequest(null, true) { BreakOnFailure = true });
        Assert.Equal((4, "rerun_with_ssh", true, true, null, null, true), Shape(atFailure));
        Assert.Equal("debug run, stopping at the first failing step", BreakpointText.Of(atFailure));
        await CancelAsync();

        // A plain rerun with SSH and a plain debug run stay as they were: no breakpoint, the SSH rerun no debug run.
        var plain = await RerunAsync(new RerunRequest(null, true));
        Assert.Equal((5, "rerun_with_ssh", true, false, null, null, false), Shape(plain));
        await CancelAsync();
        var debug = await DebugAsync(new DebugJobRequest(null));
        Assert.Equal((6, "debug", true, true, null, null, false), Shape(debug));
        Assert.Null(BreakpointText.Of(debug));
        await CancelAsync();

        // from_step 0 is stored as given; a debug run's quiet choice is kept with it.
        var fromFirst = await DebugAsync(new DebugJobRequest(null) { FromStep = "0" });
        Assert.Equal((7, "debug", true, true, 0, "Checkout code", false), Shape(fromFirst));
        await CancelAsync();
        var fromStep = await DebugAsync(new DebugJobRequest(true) { FromStep = "Install deps" });
        Assert.Equal((8, "debug", true, true, 1, "Install deps", false), Shape(fromStep));
        await using (var db = _server.Db())
        {
            var record = await db.Attempts.SingleAsync(a => a.JobId == _jobId && a.Number == 8);
            Assert.True(record.Quiet);
        }

        // The runner gets it in the lease: the steps before 1 run, then the node stops there.
        var lease = await _server.LeaseAsync();
        Assert.Equal(8, lease.Attempt);
        Assert.NotNull(lease.Debug);
        Assert.Equal(1, lease.Debug.BreakBefore);
        Assert.False(lease.Debug.BreakOnFailure);
        Assert.True(lease.Debug.HasBreakpoint);
        Assert.True(lease.Debug.Quiet);
    }

    [Fact]
    public async Task A_step_not_there_a_shared_name_two_breakpoints_no_ssh_and_a_reader_are_refused_saying_why()
    {
        await CancelAsync();
        const string Steps = "Its steps: 0 Checkout code, 1 Install deps, 2 Run tests, 3 Run tests.";

        var unknown = await ProblemAsync(Rerun(new RerunRequest(null, true) { BreakBefore = "tests" }), 422, ErrorCodes.StepNotFound);
        Assert.Equal($"Job {_jobId} has no step 'tests'. {Steps}", unknown);
        var pastTheEnd = await ProblemAsync(Rerun(new RerunRequest(null, true) { BreakBefore = "4" }), 422, ErrorCodes.StepNotFound);
        Assert.Equal($"Job {_jobId} has no step '4'. {Steps}", pastTheEnd);
        Assert.Equal(
            $"Job {_jobId} has no step 'run tests'. {Steps}",
            await ProblemAsync(Rerun(new RerunRequest(null, true) { BreakBefore = "run tests" }), 422, ErrorCodes.StepNotFound));
        Assert.Equal(
            $"Job {_jobId} has 2 steps named 'Run tests' (steps 2 and 3): give the step's index instead.",
            await ProblemAsync(Rerun(new RerunRequest(null, true) { BreakBefore = "Run tests" }), 422, ErrorCodes.StepAmbiguous));
        Assert.Equal(
            $"Job {_jobId} has no step 'nope'. {Steps}",
            await ProblemAsync(_server.Client.PostAsJsonAsync($"/api/jobs/{_jobId}/debug", new DebugJobRequest(null) { FromStep = "nope" }, ApiJson.Options), 422, ErrorCodes.StepNotFound));

        // An index sent as a JSON number is the API's usual bad request, not a server error.
        using (var number = new StringContent("""{"ssh": true, "break_before": 2}""", System.Text.Encoding.UTF8, "application/json"))
        {
            await Expect.StatusAsync(await _server.Client.PostAsync($"/api/jobs/{_jobId}/rerun", number), 400);
        }

        Assert.Contains("not both", await ProblemAsync(Rerun(new RerunRequest(null, true) { BreakBefore = "1", BreakOnFailure = true }), 400, ErrorCodes.InvalidRequest), StringComparison.Ordinal);
        Assert.Contains("\"ssh\": true", await ProblemAsync(Rerun(new RerunRequest(null) { BreakBefore = "1" }), 400, ErrorCodes.InvalidRequest), StringComparison.Ordinal);
        Assert.StartsWith("break_on_failure stops a rerun with SSH", await ProblemAsync(Rerun(new RerunRequest(null, false) { BreakOnFailure = true }), 400, ErrorCodes.InvalidRequest), StringComparison.Ordinal);

        // A reader learns that it needs write access, not the job's steps; nothing was started by any of these.
        var readerToken = await _server.CreateUserAsync("reader");
        await Expect.StatusAsync(await _server.Client.PutAsJsonAsync("/api/projects/app/members/reader", new { role = "read" }), 204);
        using (var reader = _server.ClientFor(readerToken))
        {
            await reader.AddKeyAsync(SshKeyFile.Generate(_keys.Path, "reader"));
            await ProblemAsync(reader.PostAsJsonAsync($"/api/jobs/{_jobId}/rerun", new RerunRequest(null, true) { BreakBefore = "nope" }, ApiJson.Options), 403, ErrorCodes.Forbidden);
            await ProblemAsync(reader.PostAsJsonAsync($"/api/jobs/{_jobId}/debug", new DebugJobRequest(null) { FromStep = "1" }, ApiJson.Options), 403, ErrorCodes.Forbidden);
        }

        Assert.Single((await JobAsync()).Attempts);
    }

    private static (int Number, string Reason, bool Ssh, bool Debug, int? BreakBefore, string? Step, bool OnFailure) Shape(AttemptView attempt) =>
        (attempt.Number, attempt.Reason, attempt.Ssh, attempt.Debug, attempt.BreakBefore, attempt.BreakBeforeStep, attempt.BreakOnFailure);

    private Task<HttpResponseMessage> Rerun(RerunRequest request) =>
        _server.Client.PostAsJsonAsync($"/api/jobs/{_jobId}/rerun", request, ApiJson.Options);

    private async Task<AttemptView> RerunAsync(RerunRequest request)
    {
        await Expect.StatusAsync(await Rerun(request), 202);
        return (await JobAsync()).Attempts[^1];
    }

    private async Task<AttemptView> DebugAsync(DebugJobRequest request)
    {
        await Expect.StatusAsync(await _server.Client.PostAsJsonAsync($"/api/jobs/{_jobId}/debug", request, ApiJson.Options), 202);
        return (await JobAsync()).Attempts[^1];
    }

    /// <summary>Cancels the job's latest attempt, which no runner leased: it ends at once, so the next rerun may start.</summary>
    private async Task CancelAsync()
    {
        await Expect.StatusAsync(await _server.Client.PostAsync($"/api/jobs/{_jobId}/cancel", null), 202);
        Assert.True(Status.IsFinished((await JobAsync()).Attempts[^1].Status));
    }

    private async Task<JobView> JobAsync() => (await _server.Client.GetFromJsonAsync<JobView>($"/api/jobs/{_jobId}", ApiJson.Options))!;

    private static async Task<string> ProblemAsync(Task<HttpResponseMessage> sent, int status, string code)
    {
        var problem = await Expect.ProblemAsync(await sent, status, code);
        return problem.GetProperty("detail").GetString()!;
    }
}
