using System.Net.Http.Json;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Api;
using Porthole.Contracts.Runners;
using Porthole.Server.Pipelines;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.JobData;

/// <summary>
/// Workspaces (§A5 persist_to_workspace/attach_workspace): a job attaches the layers its transitive requires persisted,
/// in workflow order, never a sibling's; a file two concurrent ancestors persisted is an error naming both; SSH attempts
/// do not count; a rerun from failed inherits what the jobs it did not rerun persisted.
/// </summary>
public sealed class WorkspaceTests : IAsyncLifetime
{
    private const string Config = """
        version: 2.1
        jobs:
          build:
            steps: [{ run: echo build }]
          left:
            steps: [{ run: echo left }]
          right:
            steps: [{ run: echo right }]
          join:
            steps: [{ run: echo join }]
          prep:
            steps: [{ run: echo prep }]
          check:
            steps: [{ run: echo check }]
        workflows:
          diamond:
            jobs:
              - build
              - left:
                  requires: [build]
              - right:
                  requires: [build]
              - join:
                  requires: [left, right]
          chain:
            jobs:
              - prep
              - check:
                  requires: [prep]
        """;

    private readonly TempFolder _data = new();
    private readonly List<NodeAssignment> _others = [];
    private GitRepository _repository = null!;
    private JobDataServer _server = null!;

    public async Task InitializeAsync()
    {
        _repository = GitRepository.WithFiles((".circleci/config.yml", Config));
        _server = await JobDataServer.StartAsync(_data.Path);
        await _server.AddProjectAsync("app", _repository.Path);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _repository.Dispose();
        _data.Dispose();
    }

    [Fact]
    public async Task A_job_attaches_its_ancestors_layers_in_workflow_order_and_never_a_siblings()
    {
        await _server.TriggerAsync("app");
        var build = await _server.LeaseAsync("build", others: _others);
        var fromBuild = await PersistAsync(build, "a.txt", "common.txt");
        await _server.CompleteAsync(build);

        var left = await _server.LeaseAsync("left", others: _others);
        var right = await _server.LeaseAsync("right", others: _others);
        var fromLeft = await PersistAsync(left, "common.txt", "l.txt");
        var fromRight = await PersistAsync(right, "r.txt");

        // Siblings: each sees build's layer only.
        Assert.Equal([("build", fromBuild)], await AttachAsync(left));
        Assert.Equal([("build", fromBuild)], await AttachAsync(right));
        await _server.CompleteAsync(left);
        await _server.CompleteAsync(right);

        // join requires left and right, and through them build: build first; common.txt from build and left is no
        // conflict, left required build, so left's layer applies after it.
        var join = await _server.LeaseAsync("join", others: _others);
        Assert.Equal([("build", fromBuild), ("left", fromLeft), ("right", fromRight)], await AttachAsync(join));

        // A job of another workflow sees none of them.
        var prep = await _server.LeaseAsync("prep", others: _others);
        Assert.Empty(await AttachAsync(prep));
    }

    [Fact]
    public async Task A_file_two_concurrent_ancestors_persisted_refuses_the_attach_naming_both_jobs()
    {
        await _server.TriggerAsync("app");
        var build = await _server.LeaseAsync("build", others: _others);
        await _server.CompleteAsync(build);
        var left = await _server.LeaseAsync("left", others: _others);
        var right = await _server.LeaseAsync("right", others: _others);
        await PersistAsync(left, "shared/x.txt", "l.txt");
        await PersistAsync(right, "r.txt", "shared/x.txt");
        await _server.CompleteAsync(left);
        await _server.CompleteAsync(right);

        var join = await _server.LeaseAsync("join", others: _others);
        var attach = await _server.Runner.AttachWorkspaceAsync(join.NodeId, CancellationToken.None);
        Assert.Empty(attach.Layers);
        Assert.NotNull(attach.Conflict);
        Assert.Contains("'shared/x.txt'", attach.Conflict);
        Assert.Contains("'left'", attach.Conflict);
        Assert.Contains("'right'", attach.Conflict);
        Assert.Contains("concurrently", attach.Conflict);
    }

    [Fact]
    public async Task A_rerun_from_failed_inherits_the_workspace_and_an_ssh_attempts_layers_do_not_count()
    {
        await _server.TriggerAsync("app");
        var prep = await _server.LeaseAsync("prep", others: _others);
        var fromPrep = await PersistAsync(prep, "dist/app.bin");
        await _server.CompleteAsync(prep);

        // An SSH rerun of prep persists something else; it is not what its dependents attach.
        using (var db = _server.Db())
        {
            var job = await db.Jobs.SingleAsync(j => j.Id == prep.JobId);
            var admin = await db.Users.SingleAsync(u => u.Name == "admin");
            var (started, refusal) = await _server.Get<Reruns>().RerunWithSshAsync(db, job, admin.Id, CancellationToken.None);
            Assert.True(started is not null, refusal);
        }

        var check = await _server.LeaseAsync("check", others: _others);
        var ssh = await _server.LeaseAsync("prep", others: _others);
        Assert.Equal(2, ssh.Attempt);
        await PersistAsync(ssh, "dist/app.bin", "debugging.txt");
        Assert.Equal([("prep", fromPrep)], await AttachAsync(check));
        await _server.CompleteAsync(check, NodeResult.Failed);
        await _server.CompleteAsync(ssh);

        // Rerun from failed: a new attempt of check in the same workflow, which still has prep's layer.
        var response = await _server.Client.PostAsJsonAsync($"/api/jobs/{check.JobId}/rerun", new RerunRequest(FromFailed: true), ApiJson.Options);
        await Expect.StatusAsync(response, 202);
        var rerun = await _server.LeaseAsync("check", others: _others);
        Assert.Equal(2, rerun.Attempt);
        Assert.Equal(check.WorkflowId, rerun.WorkflowId);
        Assert.Equal([("prep", fromPrep)], await AttachAsync(rerun));
    }

    [Fact]
    public async Task Of_an_ancestor_the_layers_of_its_latest_attempt_that_persisted_apply_in_the_order_persisted()
    {
        await _server.TriggerAsync("app");
        var prep = await _server.LeaseAsync("prep", others: _others);
        await PersistAsync(prep, "old.txt");
        await _server.CompleteAsync(prep);
        var check = await _server.LeaseAsync("check", others: _others);
        await _server.CompleteAsync(check);

        // The whole workflow again: prep's second attempt persists two layers; its first attempt's no longer apply.
        var response = await _server.Client.PostAsJsonAsync($"/api/workflows/{prep.WorkflowId}/rerun", new RerunRequest(FromFailed: false), ApiJson.Options);
        await Expect.StatusAsync(response, 202);
        var again = await _server.LeaseAsync("prep", others: _others);
        Assert.Equal(2, again.Attempt);
        var first = await PersistAsync(again, "new-1.txt");
        var second = await PersistAsync(again, "new-2.txt");
        await _server.CompleteAsync(again);
        var checkAgain = await _server.LeaseAsync("check", others: _others);
        Assert.Equal(2, checkAgain.Attempt);
        Assert.Equal([("prep", first), ("prep", second)], await AttachAsync(checkAgain));
    }

    [Fact]
    public async Task A_layer_names_only_a_blob_its_node_uploaded_and_relative_paths_inside_its_root()
    {
        await _server.TriggerAsync("app");
        var prep = await _server.LeaseAsync("prep", others: _others);
        var bytes = Encoding.UTF8.GetBytes("layer");
        var digest = await _server.UploadAsync(prep, bytes);
        foreach (var path in (string[])["../etc/passwd", "/etc/passwd", "a/../../b", "a//b", ""])
        {
            var refused = await Assert.ThrowsAsync<InvalidOperationException>(
                () => _server.Runner.PersistWorkspaceAsync(prep.NodeId, new WorkspaceLayer(digest, bytes.Length, [path]), CancellationToken.None));
            Assert.Contains("path", refused.Message);
        }

        var build = _others.Single(o => o.Job.Name == "build");
        await Assert.ThrowsAsync<InvalidOperationException>(
            () => _server.Runner.PersistWorkspaceAsync(build.NodeId, new WorkspaceLayer(digest, bytes.Length, ["x"]), CancellationToken.None));
        await using var db = _server.Db();
        Assert.False(await db.WorkspaceLayers.AnyAsync());
    }

    private async Task<string> PersistAsync(NodeAssignment node, params string[] paths)
    {
        var bytes = Encoding.UTF8.GetBytes($"layer of {node.Job.Name} attempt {node.Attempt}: {string.Join(',', paths)} {Guid.NewGuid()}");
        var digest = await _server.UploadAsync(node, bytes);
        await _server.Runner.PersistWorkspaceAsync(node.NodeId, new WorkspaceLayer(digest, bytes.Length, paths), CancellationToken.None);
        return digest;
    }

    private async Task<List<(string Job, string Digest)>> AttachAsync(NodeAssignment node)
    {
        var attach = await _server.Runner.AttachWorkspaceAsync(node.NodeId, CancellationToken.None);
        Assert.Null(attach.Conflict);
        return [.. attach.Layers.Select(l => (l.JobName, l.Digest))];
    }
}
