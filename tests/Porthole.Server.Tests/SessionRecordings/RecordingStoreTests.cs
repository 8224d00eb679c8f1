using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Api;
using Porthole.Contracts.Runners;
using Porthole.Data;
using Porthole.Server.JobData;
using Porthole.Server.Tests.JobData;
using Porthole.Server.Tests.Runners.Http;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.SessionRecordings;

/// <summary>
/// Storing a session recording (R-BEY-2), as a runner does in process and over HTTP: only with the node's lease, only a
/// blob the node uploaded with its size, only well-formed fields, at most <see cref="Recordings.MaxPerNode"/> a node, once
/// however often a call is retried; and its blob stays as long as the record, whatever the sweeper does.
/// </summary>
public sealed class RecordingStoreTests : IAsyncLifetime
{
    private const string Config = """
        version: 2.1
        jobs:
          build:
            parallelism: 2
            steps:
              - run: echo build
        workflows:
          main:
            jobs:
              - build
        """;

    private readonly TempFolder _data = new();
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
    public async Task A_recording_needs_the_lease_and_a_blob_the_node_uploaded_with_its_size()
    {
        await _server.TriggerAsync("app");
        var node = await _server.LeaseAsync();
        var sibling = await _server.LeaseAsync();
        var bytes = RecordingFiles.Asciicast("whoami");

        var unknown = await RefusedAsync(node, RecordingFiles.File(bytes));
        Assert.Contains("was not uploaded by this node", unknown, StringComparison.Ordinal);

        // Another node's upload is not this node's to name.
        await _server.UploadAsync(sibling, bytes);
        Assert.Contains("was not uploaded by this node", await RefusedAsync(node, RecordingFiles.File(bytes)), StringComparison.Ordinal);

        await _server.UploadAsync(node, bytes);
        var wrongSize = RecordingFiles.File(bytes) with { Size = bytes.Length + 1 };
        Assert.Contains($"has {bytes.Length} bytes, not {bytes.Length + 1}", await RefusedAsync(node, wrongSize), StringComparison.Ordinal);
        Assert.Contains("not a blob digest", await RefusedAsync(node, RecordingFiles.File(bytes) with { Digest = "../../porthole.db" }), StringComparison.Ordinal);

        await _server.CompleteAsync(node);
        var noLease = await RefusedAsync(node, RecordingFiles.File(bytes));
        Assert.Equal(LeasedNode.NoLease(node.NodeId), noLease);
        Assert.Empty(await ListAsync(node.JobId));
    }

    [Fact]
    public async Task Malformed_fields_are_refused_each_saying_what_is_wrong()
    {
        await _server.TriggerAsync("app");
        var node = await _server.LeaseAsync();
        var bytes = RecordingFiles.Asciicast("id");
        await _server.UploadAsync(node, bytes);
        var good = RecordingFiles.File(bytes);

        Assert.Contains("is not a user name", await RefusedAsync(node, good with { UserName = "ann; rm -rf /" }), StringComparison.Ordinal);
        Assert.Contains("is not a user name", await RefusedAsync(node, good with { UserName = "" }), StringComparison.Ordinal);
        Assert.Contains("is not a user name", await RefusedAsync(node, good with { UserName = new string('a', 101) }), StringComparison.Ordinal);
        Assert.Contains("is not a key fingerprint", await RefusedAsync(node, good with { Fingerprint = "MD5:12:34" }), StringComparison.Ordinal);
        Assert.Contains("is not a key fingerprint", await RefusedAsync(node, good with { Fingerprint = good.Fingerprint + "\n" }), StringComparison.Ordinal);
        Assert.Contains("via is ssh or web, not 'telnet'", await RefusedAsync(node, good with { Via = "telnet" }), StringComparison.Ordinal);
        Assert.Contains("0 or more", await RefusedAsync(node, good with { Seconds = -1 }), StringComparison.Ordinal);
        Assert.Contains("0 or more", await RefusedAsync(node, good with { Seconds = double.NaN }), StringComparison.Ordinal);
        Assert.Contains("0 or more", await RefusedAsync(node, good with { Seconds = double.PositiveInfinity }), StringComparison.Ordinal);
        Assert.Contains("before it started", await RefusedAsync(node, good with { EndedAt = good.StartedAt.AddSeconds(-1) }), StringComparison.Ordinal);
        Assert.Empty(await ListAsync(node.JobId));

        // An open-access debug session's user, and a session of no length, are fine.
        await _server.Runner.StoreRecordingAsync(node.NodeId, good with { UserName = "+anyone", Seconds = 0, EndedAt = good.StartedAt }, CancellationToken.None);
        Assert.Equal("+anyone", Assert.Single(await ListAsync(node.JobId)).UserName);
    }

    [Fact]
    public async Task A_retried_call_stores_the_recording_once_and_a_node_keeps_at_most_the_cap()
    {
        await _server.TriggerAsync("app");
        var node = await _server.LeaseAsync();
        var bytes = RecordingFiles.Asciicast("retried");
        var recording = await RecordingFiles.StoreAsync(_server, node, bytes, RecordingFiles.File(bytes, startedAt: RecordingFiles.Morning.AddTicks(1234567)));
        await _server.Runner.StoreRecordingAsync(node.NodeId, recording, CancellationToken.None);
        Assert.Single(await ListAsync(node.JobId));

        await using (var db = _server.Db())
        {
            var stored = await db.SessionRecordings.AsNoTracking().SingleAsync();
            db.SessionRecordings.AddRange(Enumerable.Range(1, Recordings.MaxPerNode - 2).Select(i => new SessionRecordingRecord
            {
                JobId = stored.JobId, AttemptId = stored.AttemptId, Attempt = stored.Attempt, NodeId = stored.NodeId, NodeIndex = stored.NodeIndex,
                Digest = stored.Digest, Size = stored.Size, UserName = "admin", Fingerprint = stored.Fingerprint, Via = "ssh",
                StartedAt = stored.StartedAt.AddSeconds(i), EndedAt = stored.StartedAt.AddSeconds(i + 1), Seconds = 1, CreatedAt = stored.CreatedAt,
            }));
            await db.SaveChangesAsync();
        }

        var last = RecordingFiles.File(bytes, startedAt: RecordingFiles.Morning.AddHours(1));
        await _server.Runner.StoreRecordingAsync(node.NodeId, last, CancellationToken.None);
        var over = await RefusedAsync(node, last with { StartedAt = RecordingFiles.Morning.AddHours(2), EndedAt = RecordingFiles.Morning.AddHours(3) });
        Assert.Contains($"has {Recordings.MaxPerNode} recordings already, the most a node keeps", over, StringComparison.Ordinal);
        Assert.Equal(Recordings.MaxPerNode, (await ListAsync(node.JobId)).Count);

        // Stored again, one already kept is not one more.
        await _server.Runner.StoreRecordingAsync(node.NodeId, last, CancellationToken.None);
        Assert.Equal(Recordings.MaxPerNode, (await ListAsync(node.JobId)).Count);
    }

    [Fact]
    public async Task The_same_call_reaching_several_servers_at_once_stores_one_recording()
    {
        await _server.TriggerAsync("app");
        var node = await _server.LeaseAsync();
        var bytes = RecordingFiles.Asciicast("raced");
        await _server.UploadAsync(node, bytes);
        var recording = RecordingFiles.File(bytes, startedAt: RecordingFiles.Morning.AddTicks(7654321));

        // Each its own store, as each server process has: no lock of one holds up another; the database's index decides.
        var servers = Enumerable.Range(0, 8).Select(_ => new Recordings(_server.Get<IDbContextFactory<PortholeDb>>(), TimeProvider.System)).ToList();
        await Task.WhenAll(servers.Select(s => Task.Run(() => s.StoreAsync(node.NodeId, recording, CancellationToken.None))));

        Assert.Single(await ListAsync(node.JobId));
    }

    [Fact]
    public async Task A_recordings_blob_stays_while_the_record_does_whatever_the_sweeper_and_the_blob_store_do()
    {
        await _server.TriggerAsync("app");
        var node = await _server.LeaseAsync();
        var bytes = RecordingFiles.Asciicast("kept for good");
        var unnamed = RecordingFiles.Asciicast("uploaded, never named");
        await RecordingFiles.StoreAsync(_server, node, bytes);
        var loose = await _server.UploadAsync(node, unnamed);
        await _server.CompleteAsync(node);

        var swept = await _server.Get<JobDataSweeper>().SweepAsync(CancellationToken.None);
        Assert.Equal(1, swept.Blobs);
        await _server.Get<BlobStore>().DeleteIfUnnamedAsync(JobDataServer.Digest(bytes), letGoOf: null, CancellationToken.None);
        Assert.True(File.Exists(_server.BlobPath(JobDataServer.Digest(bytes))));
        Assert.False(File.Exists(_server.BlobPath(loose)));
        var recording = Assert.Single(await ListAsync(node.JobId));
        Assert.Equal(bytes, await _server.Client.GetByteArrayAsync(recording.Url));
    }

    [Fact]
    public async Task Over_http_a_remote_runner_stores_a_recording_with_its_lease_and_a_refusal_is_a_400()
    {
        using var runner = await RunnerHttpClient.CreateAsync(_server, "edge-rec");
        await Expect.StatusAsync(await runner.RegisterAsync(), 200);
        await _server.TriggerAsync("app");
        var lease = (await runner.LeaseAsync())!;
        var bytes = RecordingFiles.Asciicast("over http");
        var digest = JobDataServer.Digest(bytes);
        var upload = await runner.SendAsync(HttpMethod.Put, RunnerHttp.BlobUpload(lease.NodeId, digest, bytes.Length, 0), lease.LeaseToken, RunnerHttpClient.Bytes(bytes));
        await Expect.StatusAsync(upload, 200);

        var recording = RecordingFiles.File(bytes);
        var forged = await runner.SendAsync(HttpMethod.Post, RunnerHttp.Recordings(lease.NodeId), "prl_forged", RunnerHttpClient.Json(recording));
        Assert.Equal(409, (int)forged.StatusCode);
        var bad = await runner.SendAsync(HttpMethod.Post, RunnerHttp.Recordings(lease.NodeId), lease.LeaseToken, RunnerHttpClient.Json(recording with { Via = "telnet" }));
        var problem = await Expect.ProblemAsync(bad, 400, ErrorCodes.InvalidRequest);
        Assert.Contains("via is ssh or web", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(await ListAsync(lease.JobId));

        await Expect.StatusAsync(await runner.SendAsync(HttpMethod.Post, RunnerHttp.Recordings(lease.NodeId), lease.LeaseToken, RunnerHttpClient.Json(recording)), 204);
        var stored = Assert.Single(await ListAsync(lease.JobId));
        Assert.Equal((recording.UserName, recording.Fingerprint, recording.StartedAt), (stored.UserName, stored.Fingerprint, stored.StartedAt));
        Assert.Equal(bytes, await _server.Client.GetByteArrayAsync(stored.Url));
    }

    private async Task<string> RefusedAsync(NodeAssignment node, SessionRecordingFile recording)
    {
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(
            () => _server.Runner.StoreRecordingAsync(node.NodeId, recording, CancellationToken.None));
        return refused.Message;
    }

    private async Task<IReadOnlyList<SessionRecordingView>> ListAsync(long jobId) =>
        (await _server.Client.GetFromJsonAsyncOrFail<SessionRecordingList>($"/api/jobs/{jobId}/recordings")).Items;
}
