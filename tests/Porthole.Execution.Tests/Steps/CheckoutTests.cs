using Porthole.Contracts.Plans;
using Porthole.Contracts.Runners;
using Porthole.Execution.Tests.Support;

namespace Porthole.Execution.Tests.Steps;

public sealed class CheckoutTests : IDisposable
{
    private readonly NodeHarness _harness = new();
    private readonly GitRepository _repository = new();

    public void Dispose()
    {
        _harness.Dispose();
        _repository.Dispose();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Checkout_clones_the_pipeline_commit_not_the_branch_tip(bool fileUrl)
    {
        var first = _repository.Commit("version.txt", "one\n", "first");
        _repository.Commit("version.txt", "two\n", "second");
        var job = Plans.Job([
            Plans.Checkout(),
            Plans.Run("Show", "cat version.txt; git rev-parse HEAD; git rev-parse --abbrev-ref HEAD; git rev-parse main; pwd"),
        ]);
        var url = fileUrl ? _repository.FileUrl : _repository.Path;

        var completion = await _harness.RunAsync(Plans.Assignment(job, repositoryUrl: url, commitSha: first, branch: "main"));

        Assert.Equal(NodeResult.Success, completion.Result);
        var checkoutLog = _harness.Reporter.StepLog(0);
        Assert.Contains($"$ git clone --no-checkout -- {url} .\n", checkoutLog, StringComparison.Ordinal);
        Assert.Contains("HEAD is now at", checkoutLog, StringComparison.Ordinal);
        Assert.Equal(
            $"one\n{first}\nmain\n{first}\n{Path.Combine(_harness.Home, "project")}\n",
            _harness.Reporter.StepLog(1).Split('\n', 2)[1]);
    }

    [Fact]
    public async Task Travis_checkout_leaves_HEAD_detached_at_the_commit_and_points_the_branch_at_it()
    {
        var first = _repository.Commit("a.txt", "a\n", "first");
        _repository.Commit("a.txt", "b\n", "second");
        var job = Plans.Job([
            Plans.Checkout(),
            Plans.Run("Show", "git rev-parse --abbrev-ref HEAD; git rev-parse feature; pwd", shell: "/bin/bash"),
        ]);

        var completion = await _harness.RunAsync(Plans.Assignment(
            job, dialect: ConfigDialect.Travis, repositoryUrl: _repository.Path, commitSha: first, branch: "feature"));

        Assert.Equal(NodeResult.Success, completion.Result);
        Assert.Equal(
            $"HEAD\n{first}\n{Path.Combine(_harness.Home, "build", "acme", "widget")}\n",
            _harness.Reporter.StepLog(1).Split('\n', 2)[1]);
    }

    [Fact]
    public async Task Without_a_branch_HEAD_stays_detached()
    {
        var sha = _repository.Commit("a.txt", "a\n", "first");
        var job = Plans.Job([Plans.Checkout(), Plans.Run("Show", "git rev-parse --abbrev-ref HEAD")]);

        var completion = await _harness.RunAsync(Plans.Assignment(job, repositoryUrl: _repository.Path, commitSha: sha, branch: null));

        Assert.Equal(NodeResult.Success, completion.Result);
        Assert.EndsWith("HEAD\n", _harness.Reporter.StepLog(1), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Checkout_honours_the_job_and_step_working_directories()
    {
        var sha = _repository.Commit("a.txt", "a\n", "first");
        var job = Plans.Job(
            [Plans.Checkout(path: "src"), Plans.Run("Show", "cat src/a.txt; pwd")],
            workingDirectory: "/go/src/github.com/acme/widget");

        var completion = await _harness.RunAsync(Plans.Assignment(job, repositoryUrl: _repository.Path, commitSha: sha));

        Assert.Equal(NodeResult.Success, completion.Result);
        var jobDirectory = Path.Combine(_harness.WorkspaceRoot, "root", "go", "src", "github.com", "acme", "widget");
        Assert.EndsWith($"a\n{jobDirectory}\n", _harness.Reporter.StepLog(1), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(jobDirectory, "src", "a.txt")));
    }

    [Fact]
    public async Task A_repository_that_is_gone_fails_the_checkout_step_and_the_job()
    {
        var job = Plans.Job([Plans.Checkout(), Plans.Run("Build", "echo never")]);

        var completion = await _harness.RunAsync(Plans.Assignment(job, repositoryUrl: Path.Combine(_repository.Path, "missing")));

        Assert.Equal(NodeResult.Failed, completion.Result);
        Assert.Equal(StepState.Failed, _harness.Reporter.Final(0).State);
        Assert.Equal(128, _harness.Reporter.Final(0).ExitCode);
        Assert.Contains("fatal:", _harness.Reporter.StepLog(0), StringComparison.Ordinal);
        Assert.EndsWith("Exited with code exit status 128\n", _harness.Reporter.StepLog(0), StringComparison.Ordinal);
        Assert.Equal(StepState.Skipped, _harness.Reporter.Final(1).State);
    }

    [Fact]
    public async Task A_commit_that_is_not_in_the_repository_fails_the_checkout()
    {
        _repository.Commit("a.txt", "a\n", "first");
        var job = Plans.Job([Plans.Checkout()]);

        var completion = await _harness.RunAsync(Plans.Assignment(
            job, repositoryUrl: _repository.Path, commitSha: "1111111111111111111111111111111111111111"));

        Assert.Equal(NodeResult.Failed, completion.Result);
        Assert.Contains("git -c advice.detachedHead=false checkout --force --detach 1111111111111111111111111111111111111111", _harness.Reporter.StepLog(0), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_commit_id_that_looks_like_an_option_is_refused()
    {
        var job = Plans.Job([Plans.Checkout()]);

        var completion = await _harness.RunAsync(Plans.Assignment(job, repositoryUrl: _repository.Path, commitSha: "--upload-pack=touch /tmp/x"));

        Assert.Equal(NodeResult.Failed, completion.Result);
        Assert.Contains("is not a commit id", _harness.Reporter.StepLog(0), StringComparison.Ordinal);
    }
}
