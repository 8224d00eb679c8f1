using System.Net.Http.Json;
using Porthole.Contracts.Api;
using Porthole.Contracts.Runners;
using Porthole.Server.JobData;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.JobData;

/// <summary>
/// Test results (§A5 store_test_results): stored per node under a cap (here 6 cases), listed by the API with their counts,
/// failed and errored first, and read back as the timings of §A7's <c>--split-by=timings</c>.
/// </summary>
public sealed class TestResultsTests : IAsyncLifetime
{
    private const string Config = """
        version: 2.1
        jobs:
          test:
            parallelism: 2
            steps:
              - run: echo test
          lint:
            steps:
              - run: echo lint
        workflows:
          main:
            jobs:
              - test
              - lint
        """;

    private readonly TempFolder _data = new();
    private GitRepository _repository = null!;
    private JobDataServer _server = null!;

    public async Task InitializeAsync()
    {
        _repository = GitRepository.WithFiles((".circleci/config.yml", Config));
        _server = await JobDataServer.StartAsync(_data.Path, new Dictionary<string, string?> { ["Porthole:JobData:MaxTestCasesPerNode"] = "6" });
        await _server.AddProjectAsync("app", _repository.Path);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _repository.Dispose();
        _data.Dispose();
    }

    [Fact]
    public async Task The_api_lists_failed_and_errored_first_then_skipped_then_passed_with_the_counts()
    {
        await _server.TriggerAsync("app");
        var node0 = await _server.LeaseAsync("test", 0);
        var node1 = await _server.LeaseAsync("test", 1);
        await _server.Runner.StoreTestResultsAsync(node0.NodeId,
        [
            Case("b_test.py", "B", "passes", TestOutcome.Passed, 0.5),
            Case("a_test.py", "A", "fails", TestOutcome.Failed, 1.25, "assert 1 == 2", "Traceback…\nassert 1 == 2") with { Source = "reports/junit.xml" },
            Case("a_test.py", "A", "skipped", TestOutcome.Skipped, 0),
        ], CancellationToken.None);
        await _server.Runner.StoreTestResultsAsync(node1.NodeId,
        [
            Case(null, "C", "errors", TestOutcome.Error, null, "ImportError"),
            Case("a_test.py", "A", "passes too", TestOutcome.Passed, 2),
        ], CancellationToken.None);

        var list = await _server.Client.GetFromJsonAsyncOrFail<TestResultList>($"/api/jobs/{node0.JobId}/tests");
        Assert.Equal(new TestCounts(5, 2, 1, 1, 1), list.Counts);
        Assert.Equal(
            [("error", "C", "errors", 1), ("failure", "A", "fails", 0), ("skipped", "A", "skipped", 0), ("success", "A", "passes too", 1), ("success", "B", "passes", 0)],
            list.Items.Select(i => (i.Result, i.Classname, i.Name, i.NodeIndex)));
        var failed = list.Items[1];
        Assert.Equal("a_test.py", failed.File);
        Assert.Equal(1.25, failed.RunTime);
        Assert.Equal("assert 1 == 2", failed.Message);
        Assert.Equal("Traceback…\nassert 1 == 2", failed.Details);
        Assert.Equal("reports/junit.xml", failed.Source);
        Assert.Equal(0, list.Items[0].RunTime);
        Assert.Equal(list.Items.Count, list.Items.Select(i => i.Id).Distinct().Count());

        // The JSON keeps CircleCI v2's words.
        var json = await _server.Client.GetStringAsync($"/api/jobs/{node0.JobId}/tests?attempt=1");
        Assert.Contains("\"run_time\":1.25", json);
        Assert.Contains("\"classname\":\"A\"", json);

        Assert.Equal(list, await _server.Get<JobDataViews>().TestsAsync(node0.JobId, 1, CancellationToken.None), new TestResultListComparer());
        await Expect.ProblemAsync(await _server.Client.GetAsync($"/api/jobs/{node0.JobId}/tests?attempt=2"), 404, ErrorCodes.NotFound);
        using var stranger = _server.ClientFor(await _server.CreateUserAsync("stranger"));
        await Expect.ProblemAsync(await stranger.GetAsync($"/api/jobs/{node0.JobId}/tests"), 404, ErrorCodes.JobNotFound);
    }

    [Fact]
    public async Task Cases_past_the_cap_per_node_are_counted_not_stored()
    {
        await _server.TriggerAsync("app");
        var node = await _server.LeaseAsync("test", 0);
        await _server.Runner.StoreTestResultsAsync(node.NodeId, [.. Enumerable.Range(0, 4).Select(i => Case("t.py", "T", $"case {i}", TestOutcome.Passed, 1))], CancellationToken.None);
        await _server.Runner.StoreTestResultsAsync(node.NodeId, [.. Enumerable.Range(4, 5).Select(i => Case("t.py", "T", $"case {i}", TestOutcome.Passed, 1))], CancellationToken.None);
        await _server.Runner.StoreTestResultsAsync(node.NodeId, [Case("t.py", "T", "one more", TestOutcome.Failed, 1)], CancellationToken.None);

        var list = await _server.Client.GetFromJsonAsyncOrFail<TestResultList>($"/api/jobs/{node.JobId}/tests");
        Assert.Equal(6, list.Counts.Total);
        Assert.Equal(4, list.Counts.Ignored);
        Assert.Equal(6, list.Items.Count);
        Assert.DoesNotContain(list.Items, i => i.Name == "one more");
    }

    [Fact]
    public async Task Timings_come_from_the_latest_earlier_attempt_of_a_job_of_the_same_name_that_stored_results()
    {
        await _server.TriggerAsync("app");
        var first = await _server.LeaseAsync("test", 0);
        var firstOther = await _server.LeaseAsync("test", 1);
        var lint = await _server.LeaseAsync("lint");
        Assert.Empty(await _server.Runner.TestTimingsAsync(first.NodeId, CancellationToken.None));
        await _server.Runner.StoreTestResultsAsync(first.NodeId, [Case("a.py", "A", "slow", TestOutcome.Passed, 9.5)], CancellationToken.None);
        await _server.Runner.StoreTestResultsAsync(firstOther.NodeId, [Case("b.py", "B", "fast", TestOutcome.Failed, 0.25)], CancellationToken.None);
        await _server.Runner.StoreTestResultsAsync(lint.NodeId, [Case("lint", "L", "style", TestOutcome.Passed, 3)], CancellationToken.None);

        // Its own attempt's results are not "earlier".
        Assert.Empty(await _server.Runner.TestTimingsAsync(first.NodeId, CancellationToken.None));

        await _server.TriggerAsync("app");
        var second = await _server.LeaseAsync("test", 0);
        var timings = await _server.Runner.TestTimingsAsync(second.NodeId, CancellationToken.None);
        Assert.Equal([new TestTiming("a.py", "A", "slow", 9.5), new TestTiming("b.py", "B", "fast", 0.25)], timings);
        var secondLint = await _server.LeaseAsync("lint");
        Assert.Equal([new TestTiming("lint", "L", "style", 3)], await _server.Runner.TestTimingsAsync(secondLint.NodeId, CancellationToken.None));
    }

    private static TestCaseResult Case(string? file, string classname, string name, TestOutcome outcome, double? seconds, string? message = null, string? details = null) =>
        new("suite", classname, name, file, outcome, seconds, message, details);

    /// <summary>Records compare their lists by reference; this compares the items.</summary>
    private sealed class TestResultListComparer : IEqualityComparer<TestResultList>
    {
        public bool Equals(TestResultList? x, TestResultList? y) =>
            x is not null && y is not null && x.Counts == y.Counts && x.Items.SequenceEqual(y.Items);

        public int GetHashCode(TestResultList obj) => obj.Counts.GetHashCode();
    }
}
