using Microsoft.EntityFrameworkCore;
using Porthole.Server.Pipelines;
using Porthole.Server.Ssh;
using Porthole.Server.Tests.JobData;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests;

/// <summary>
/// A browser terminal opened on one server is granted when its node heart-beats to another (issue 14): two servers in
/// this process on one PostgreSQL database, each with its own services; the grant is made through server a's
/// <see cref="WebTerminalGrants"/>, the node is leased from and heart-beats to server b's <see cref="Runners.RunnerService"/>.
/// </summary>
public sealed class WebTerminalGrantsTwoServersTests(PostgresCluster cluster) : IClassFixture<PostgresCluster>, IDisposable
{
    private readonly TempFolder _data = new();
    private readonly TempFolder _keys = new();

    public void Dispose()
    {
        _keys.Dispose();
        _data.Dispose();
    }

    [Fact]
    public async Task A_terminal_opened_on_server_a_is_granted_by_the_heartbeat_to_server_b_until_it_closes()
    {
        var database = await cluster.CreateDatabaseAsync();
        await using var a = await JobDataServer.StartAsync(Path.Combine(_data.Path, "a"), database: database);
        Directory.CreateDirectory(Path.Combine(_data.Path, "b"));
        File.Copy(Path.Combine(_data.Path, "a", "admin-token"), Path.Combine(_data.Path, "b", "admin-token"));
        await using var b = await JobDataServer.StartAsync(Path.Combine(_data.Path, "b"), database: database);
        using var repository = GitRepository.WithFiles((".circleci/config.yml", """
            version: 2.1
            jobs:
              build:
                machine: true
                steps:
                  - run: echo built
            workflows:
              main:
                jobs: [build]
            """));
        await a.AddProjectAsync("app", repository.Path);
        var jobId = (await a.TriggerAsync("app")).Workflows.Single().Jobs.Single().Id;
        await a.CompleteAsync(await a.LeaseAsync());

        // A rerun with SSH, leased from server b: the node heart-beats to b.
        long admin;
        await using (var db = a.Db())
        {
            var job = await db.Jobs.SingleAsync(j => j.Id == jobId);
            admin = await db.Attempts.Where(t => t.JobId == jobId).Select(t => t.RequestedBy).SingleAsync();
            Assert.Null((await a.Get<Reruns>().RerunWithSshAsync(db, job, admin, CancellationToken.None)).Refusal);
        }

        var node = await b.LeaseAsync();
        Assert.Equal((jobId, 2), (node.JobId, node.Attempt));
        Assert.DoesNotContain(node.Ssh!.Keys, k => k.Web);

        var key = SshKeyFile.Generate(_keys.Path, "terminal");
        var opened = await a.Get<WebTerminalGrants>().AddAsync(node.NodeId, new WebTerminalGrant(admin, key.PublicLine, key.Fingerprint, ReadOnly: false), CancellationToken.None);
        await using (var db = b.Db())
        {
            var seen = Assert.Single(await b.Get<WebTerminalGrants>().ForAsync(db, node.NodeId, CancellationToken.None));
            Assert.Equal(new WebTerminalGrant(admin, key.PublicLine, key.Fingerprint, false), seen);
            Assert.Equal(1, await b.Get<WebTerminalGrants>().CountOfAsync(db, admin, CancellationToken.None));
        }

        var reply = await b.Runner.HeartbeatAsync(node.NodeId, CancellationToken.None);
        Assert.False(reply.Canceled);
        var granted = Assert.Single(reply.SshKeys!, k => k.Web);
        Assert.Equal((key.Fingerprint, key.PublicLine, "admin", false), (granted.Fingerprint, granted.PublicKey, granted.UserName, granted.ReadOnly));

        // Closed on server a: server b's next heartbeat drops the key.
        await opened.DisposeAsync();
        reply = await b.Runner.HeartbeatAsync(node.NodeId, CancellationToken.None);
        Assert.DoesNotContain(reply.SshKeys!, k => k.Web);
        await using (var db = b.Db())
        {
            Assert.Empty(await b.Get<WebTerminalGrants>().ForAsync(db, node.NodeId, CancellationToken.None));
        }

        await b.CompleteAsync(node);
    }
}
