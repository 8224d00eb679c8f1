using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Porthole.Contracts.Api;
using Porthole.Server.Tests.JobData;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.Runners;

/// <summary>
/// A runner that stops heart-beating (issue 14, "A lost runner"): when its lease runs out, the server's sweep ends its
/// node infrastructure_fail, and the node's log and message say which runner it was and when it was last heard.
/// The lease is 2 s here (45 s by default, so that with the sweep every 5 s a lost node ends within 60 s).
/// </summary>
public sealed partial class LostRunnerTests : IAsyncLifetime
{
    private readonly TempFolder _data = new();
    private GitRepository _repository = null!;
    private JobDataServer _server = null!;

    public async Task InitializeAsync()
    {
        _repository = GitRepository.WithFiles((".travis.yml", "language: shell\nscript: echo never-runs\n"));
        _server = await JobDataServer.StartAsync(_data.Path, new Dictionary<string, string?> { ["Porthole:LeaseDuration"] = "00:00:02" });
        await _server.AddProjectAsync("app", _repository.Path);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _repository.Dispose();
        _data.Dispose();
    }

    [Fact]
    public async Task A_node_whose_runner_goes_silent_ends_infrastructure_fail_naming_the_runner_and_when_it_was_last_heard()
    {
        var pipeline = await _server.TriggerAsync("app");
        var lease = await _server.LeaseAsync();
        var jobId = pipeline.Workflows.Single().Jobs.Single().Id;
        Assert.Equal(jobId, lease.JobId);

        // No heartbeat from here on: the runner is gone.
        JobView job;
        var waited = TimeProvider.System.GetTimestamp();
        do
        {
            await Task.Delay(200);
            job = (await _server.Client.GetFromJsonAsync<JobView>($"/api/jobs/{jobId}", ApiJson.Options))!;
            Assert.True(TimeProvider.System.GetElapsedTime(waited) < TimeSpan.FromSeconds(30), "the lost node was never ended");
        }
        while (!Status.IsFinished(job.Status));

        Assert.Equal(Status.InfrastructureFail, job.Status);
        var message = job.Attempts[^1].Nodes[0].Message!;
        var stated = LostMessage().Match(message);
        Assert.True(stated.Success, message);
        Assert.InRange(int.Parse(stated.Groups["ago"].Value, System.Globalization.CultureInfo.InvariantCulture), 2, 15);
        var log = await _server.Client.GetStringAsync($"/api/jobs/{jobId}/log?node=0");
        Assert.Contains($"Porthole: {message}; the node ended as infrastructure_fail.", log, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^the runner test-runner stopped heart-beating: last heard at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC, (?<ago>\d+) s before$")]
    private static partial Regex LostMessage();
}
