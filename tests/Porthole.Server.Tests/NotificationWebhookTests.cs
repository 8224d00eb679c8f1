using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Porthole.Contracts.Api;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests;

/// <summary>
/// A project's outgoing notification webhook (R-BEY-4, issue 15): the real server and runner hold a failed node for SSH,
/// and a receiver on loopback hears it ready, ending soon and ended, each body signed with the secret the server made;
/// the setting's bad input. The secret is compared, never printed.
/// </summary>
public sealed class NotificationWebhookTests : IAsyncLifetime
{
    private const string Config = """
        version: 2
        jobs:
          build:
            steps:
              - run: echo failing on purpose; exit 1
        """;

    private readonly TempFolder _data = new();
    private readonly WebhookReceiver _receiver = new();
    private GitRepository _repository = null!;
    private RunningServer _server = null!;

    public async Task InitializeAsync()
    {
        _repository = GitRepository.WithFiles((".circleci/config.yml", Config));

        // A first connection awaited for 6 s: the node is within 5 minutes of its end at once, and ends soon after.
        _server = await RunningServer.StartAsync(_data.Path, new Dictionary<string, string?>
        {
            ["Porthole:SshFirstConnectionTimeout"] = "00:00:06",
        });
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
    public async Task A_held_node_is_announced_ready_ending_soon_and_ended_each_signed_with_the_secret_shown_once()
    {
        var set = await _server.Client.PutAsJsonAsync("/api/projects/app/notifications", new { url = _receiver.Url() });
        Assert.Equal(201, (int)set.StatusCode);
        var made = (await set.Content.ReadFromJsonAsync<NotificationWebhookView>(ApiJson.Options))!;
        var secret = made.Secret!;
        Assert.True(secret.Length == 64 && secret.All(char.IsAsciiHexDigitLower), "the secret is 32 random bytes in hex");
        Assert.Equal(_receiver.Url(), made.Url);

        // Shown once: GET says it exists, and so does setting the same address again.
        var shown = await _server.Client.GetFromJsonAsyncOrFail<NotificationWebhookView>("/api/projects/app/notifications");
        Assert.True(shown is { HasSecret: true, Secret: null, CreatedBy: "admin" });
        Assert.Equal(_receiver.Url(), shown.Url);
        var again = await _server.Client.PutAsJsonAsync("/api/projects/app/notifications", new { url = _receiver.Url() });
        Assert.Equal(200, (int)again.StatusCode);
        Assert.Null((await again.Content.ReadFromJsonAsync<NotificationWebhookView>(ApiJson.Options))!.Secret);

        // The receiver fails the first delivery: it is sent again, with the same delivery id.
        _receiver.Answers.Enqueue(503);
        var response = await _server.Client.PostAsJsonAsync("/api/projects/app/pipelines", new TriggerRequest(null, null) { HoldOnFailure = true }, ApiJson.Options);
        await Expect.StatusAsync(response, 201);
        var jobId = (await response.Content.ReadFromJsonAsync<PipelineView>(ApiJson.Options))!.Workflows[0].Jobs[0].Id;

        var received = await _receiver.WaitForAsync(4);
        Assert.Equal([503, 200, 200, 200], received.Select(r => r.AnsweredWith));
        Assert.Equal(received[0].Header(NotificationHeaders.Delivery), received[1].Header(NotificationHeaders.Delivery));
        var delivered = received.Skip(1).ToList();
        Assert.Equal([NotificationEvents.Ready, NotificationEvents.EndingSoon, NotificationEvents.Ended], delivered.Select(r => r.Header(NotificationHeaders.Event)));
        Assert.Equal(3, delivered.Select(r => r.Header(NotificationHeaders.Delivery)).Distinct().Count());

        foreach (var request in received)
        {
            Assert.Equal("/hooks/porthole", request.Path);
            Assert.StartsWith("application/json", request.Header("Content-Type"), StringComparison.Ordinal);
            var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), request.Body));
            Assert.True(expected == request.Header(NotificationHeaders.Signature), "the signature is the body's HMAC-SHA256 with the secret");
            Assert.DoesNotContain(secret, Encoding.UTF8.GetString(request.Body), StringComparison.Ordinal);
        }

        var bodies = delivered.Select(r => JsonDocument.Parse(r.Body).RootElement).ToList();
        var page = $"{_server.Address.ToString().TrimEnd('/')}/jobs/{jobId}?attempt=1";
        foreach (var (body, name) in bodies.Zip(new[] { "ready", "ending_soon", "ended" }))
        {
            Assert.Equal(name, body.GetProperty("event").GetString());
            Assert.Equal("app", body.GetProperty("project").GetString());
            Assert.Equal(jobId, body.GetProperty("job_id").GetInt64());
            Assert.Equal("build", body.GetProperty("job_name").GetString());
            Assert.Equal(1, body.GetProperty("attempt").GetInt32());
            Assert.Equal(0, body.GetProperty("node").GetInt32());
            Assert.Equal(page, body.GetProperty("url").GetString());
            Assert.True(body.TryGetProperty("at", out _));
        }

        var view = await _server.Client.GetFromJsonAsyncOrFail<JobSshView>($"/api/jobs/{jobId}/ssh");
        var node = view.Nodes[0];
        Assert.Equal($"ssh -p {node.Port} {node.User}@{node.Host}", bodies[0].GetProperty("ssh_command").GetString());
        var endsAt = bodies[1].GetProperty("ends_at").GetDateTimeOffset();
        Assert.True(endsAt - bodies[1].GetProperty("at").GetDateTimeOffset() <= TimeSpan.FromMinutes(5));
        Assert.False(bodies[1].TryGetProperty("ssh_command", out _));
        Assert.Equal(Status.Failed, bodies[2].GetProperty("status").GetString());
        Assert.False(bodies[2].TryGetProperty("ends_at", out _));

        // Nothing more for this node: one ending_soon per end, one ended.
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(4, _receiver.All.Count);
    }

    [Fact]
    public async Task The_setting_refuses_bad_addresses_saying_what_is_wrong_and_is_for_admins_and_can_be_rotated_and_removed()
    {
        var cases = new (object Body, string Says)[]
        {
            (new { url = "ftp://hooks.example.com/x" }, "must be http or https"),
            (new { url = "not a url" }, "is not a URL"),
            (new { url = "/hooks/relative" }, "http or https"),
            (new { url = "https://alice:hunter2pw@hooks.example.com/x" }, "user name or password"),
            (new { url = "https://hooks.example.com/" + new string('a', 2048) }, "at most 2048"),
            (new { url = "" }, "Give the webhook's address"),
            (new { }, "Give the webhook's address"),
        };
        foreach (var (body, says) in cases)
        {
            var refused = await _server.Client.PutAsJsonAsync("/api/projects/app/notifications", body);
            var problem = await Expect.ProblemAsync(refused, 400, ErrorCodes.InvalidRequest);
            Assert.Contains(says, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.DoesNotContain("hunter2pw", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        Assert.False((await _server.Client.GetFromJsonAsyncOrFail<NotificationWebhookView>("/api/projects/app/notifications")).HasSecret);

        // A writer may neither see nor set it.
        var writerToken = await _server.CreateUserAsync("writer");
        await Expect.StatusAsync(await _server.Client.PutAsJsonAsync("/api/projects/app/members/writer", new { role = "write" }), 204);
        using (var writer = _server.ClientFor(writerToken))
        {
            await Expect.ProblemAsync(await writer.GetAsync("/api/projects/app/notifications"), 403, ErrorCodes.Forbidden);
            await Expect.ProblemAsync(await writer.PutAsJsonAsync("/api/projects/app/notifications", new { url = _receiver.Url() }), 403, ErrorCodes.Forbidden);
            await Expect.ProblemAsync(await writer.DeleteAsync("/api/projects/app/notifications"), 403, ErrorCodes.Forbidden);
        }

        // Rotating makes a new secret; a new address alone keeps it.
        var first = await SecretOfAsync(new { url = _receiver.Url() }, 201);
        var moved = await _server.Client.PutAsJsonAsync("/api/projects/app/notifications", new { url = _receiver.Url("/elsewhere") });
        Assert.Equal(200, (int)moved.StatusCode);
        Assert.Equal(_receiver.Url("/elsewhere"), (await moved.Content.ReadFromJsonAsync<NotificationWebhookView>(ApiJson.Options))!.Url);
        var rotated = await SecretOfAsync(new { url = _receiver.Url(), rotate = true }, 200);
        Assert.True(first != rotated, "a rotated secret is a new one");

        await Expect.StatusAsync(await _server.Client.DeleteAsync("/api/projects/app/notifications"), 204);
        var gone = await _server.Client.GetFromJsonAsyncOrFail<NotificationWebhookView>("/api/projects/app/notifications");
        Assert.True(gone is { Url: null, HasSecret: false });
        await Expect.ProblemAsync(await _server.Client.DeleteAsync("/api/projects/app/notifications"), 404, ErrorCodes.NotFound);
        await Expect.ProblemAsync(await _server.Client.GetAsync("/api/projects/nope/notifications"), 404, ErrorCodes.ProjectNotFound);
    }

    /// <summary>The secret a PUT answered with (its status checked without printing the answer, which holds it).</summary>
    private async Task<string> SecretOfAsync(object body, int status)
    {
        var response = await _server.Client.PutAsJsonAsync("/api/projects/app/notifications", body);
        Assert.Equal(status, (int)response.StatusCode);
        var secret = (await response.Content.ReadFromJsonAsync<NotificationWebhookView>(ApiJson.Options))!.Secret;
        Assert.True(secret is { Length: 64 }, "the answer shows the new secret");
        return secret!;
    }
}
