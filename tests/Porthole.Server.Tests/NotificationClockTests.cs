using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Porthole.Contracts.Api;
using Porthole.Contracts.Runners;
using Porthole.Contracts.Ssh;
using Porthole.Server.Tests.JobData;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests;

/// <summary>
/// When <c>ending_soon</c> is sent (R-BEY-4), on the server's injected clock: 5 minutes before the end the node reported,
/// once per end; not again for a grace that ends near the end announced; again for an end an extension moved. The real
/// server on a clock of the test's, the runner's calls made by the test, a receiver on loopback.
/// </summary>
public sealed class NotificationClockTests : IAsyncLifetime
{
    private readonly TempFolder _data = new();
    private readonly WebhookReceiver _receiver = new();
    private readonly FakeTimeProvider _clock = new(TimeProvider.System.GetUtcNow());
    private GitRepository _repository = null!;
    private JobDataServer _server = null!;

    public async Task InitializeAsync()
    {
        _repository = GitRepository.WithFiles((".circleci/config.yml", "version: 2\njobs:\n  build:\n    steps:\n      - run: exit 1\n"));

        // A lease as long as the test's clock moves: the lease sweeper, on the same clock, leaves the node alone.
        _server = await JobDataServer.StartAsync(_data.Path, new Dictionary<string, string?> { ["Porthole:LeaseDuration"] = "01:00:00" }, _clock);
        await _server.AddProjectAsync("app", _repository.Path);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _receiver.DisposeAsync();
        _repository.Dispose();
        _data.Dispose();
    }

    [Fact]
    public async Task Ending_soon_comes_five_minutes_before_each_end_once_and_not_for_a_grace_near_the_end_announced()
    {
        var set = await _server.Client.PutAsJsonAsync("/api/projects/app/notifications", new { url = _receiver.Url() });
        Assert.Equal(201, (int)set.StatusCode);
        await Expect.StatusAsync(
            await _server.Client.PostAsJsonAsync("/api/projects/app/pipelines", new TriggerRequest(null, null) { HoldOnFailure = true }, ApiJson.Options), 201);
        var node = await _server.LeaseAsync();
        var runner = _server.Runner;
        var ct = CancellationToken.None;
        await runner.HoldNodeAsync(node.NodeId, new NodeCompletion(NodeResult.Failed, "step fails failed"), ct);
        await runner.ReportSshEndpointAsync(node.NodeId, new SshEndpointInfo("127.0.0.1", 64600, "porthole", "ssh-ed25519 AAAA", "SHA256:x", []), ct);
        await runner.ReportSshEndpointAsync(node.NodeId, new SshEndpointInfo("127.0.0.1", 64600, "porthole", "ssh-ed25519 AAAA", "SHA256:x", ["SHA256:y"]), ct);
        Assert.Equal(NotificationEvents.Ready, Event((await _receiver.WaitForAsync(1))[0]));

        // Ten minutes to the first connection's end: nothing yet; at five minutes, ending_soon with that end, once.
        var firstEnd = _clock.GetUtcNow().AddMinutes(10);
        await runner.ReportSshWindowAsync(node.NodeId, new SshWindow(firstEnd, SshWindowEnd.FirstConnection), ct);
        await TickAsync(TimeSpan.FromMinutes(4));
        Assert.Single(_receiver.All);
        await TickAsync(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(2));
        var soon = (await _receiver.WaitForAsync(2))[1];
        Assert.Equal(NotificationEvents.EndingSoon, Event(soon));
        Assert.Equal(firstEnd, JsonDocument.Parse(soon.Body).RootElement.GetProperty("ends_at").GetDateTimeOffset(), TimeSpan.FromMilliseconds(1)); // PostgreSQL keeps microseconds
        await TickAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(2, _receiver.All.Count);

        // Someone connected, then left: the grace ends two minutes later, near the end announced: not announced again.
        await runner.ReportSshWindowAsync(node.NodeId, new SshWindow(_clock.GetUtcNow().AddMinutes(2), SshWindowEnd.Grace), ct);
        await TickAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(2, _receiver.All.Count);

        // An extension moved the end half an hour on: announced again five minutes before it.
        var extended = _clock.GetUtcNow().AddMinutes(30);
        await runner.ReportSshWindowAsync(node.NodeId, new SshWindow(extended, SshWindowEnd.SessionCap), ct);
        await TickAsync(TimeSpan.FromMinutes(24));
        Assert.Equal(2, _receiver.All.Count);
        await TickAsync(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(2));
        var again = (await _receiver.WaitForAsync(3))[2];
        Assert.Equal(extended, JsonDocument.Parse(again.Body).RootElement.GetProperty("ends_at").GetDateTimeOffset(), TimeSpan.FromMilliseconds(1));

        // The node ends: ended, with the held node's status.
        await runner.CompleteNodeAsync(node.NodeId, new NodeCompletion(NodeResult.Success, null), ct);
        var ended = (await _receiver.WaitForAsync(4))[3];
        Assert.Equal(NotificationEvents.Ended, Event(ended));
        Assert.Equal(Status.Failed, JsonDocument.Parse(ended.Body).RootElement.GetProperty("status").GetString());
    }

    private static string Event(WebhookReceiver.Received request) => request.Header(NotificationHeaders.Event);

    /// <summary>Moves the server's clock on in steps of the watch's interval, giving each tick a moment to be looked at.</summary>
    private async Task TickAsync(TimeSpan by)
    {
        var step = TimeSpan.FromSeconds(30);
        for (var moved = TimeSpan.Zero; moved < by; moved += step)
        {
            _clock.Advance(by - moved < step ? by - moved : step);
            await Task.Delay(20);
        }

        await Task.Delay(300);
    }
}
