using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Api;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.Triggers;

/// <summary>
/// GitHub's push webhook (<c>POST /api/projects/{name}/hooks/github</c>) against the real server and a real repository:
/// signed with the project's secret it starts a branch or tag pipeline (§A6, §A1.6) with trigger source <c>webhook</c>;
/// anything unsigned, wrongly signed, too big, not JSON or for another repository starts nothing.
/// </summary>
public sealed class GitHubWebhookTests : IAsyncLifetime
{
    private const string Config = """
        version: 2.1
        jobs:
          build:
            steps:
              - run: echo "source=<< pipeline.trigger_source >> branch=<< pipeline.git.branch >> tag=<< pipeline.git.tag >>."
        workflows:
          main:
            jobs:
              - build:
                  filters:
                    tags:
                      only: /^v.*/
        """;

    private readonly TempFolder _data = new();
    private GitRepository _repository = null!;
    private TriggerServer _server = null!;
    private string _secret = null!;

    public async Task InitializeAsync()
    {
        _repository = GitRepository.WithFiles((".circleci/config.yml", Config));
        _server = await TriggerServer.StartAsync(_data.Path);
        await _server.AddProjectAsync("app", _repository.Path);
        _secret = await _server.HookSecretAsync("app");
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _repository.Dispose();
        _data.Dispose();
    }

    private string Head => _repository.Run("rev-parse", "HEAD").Trim();

    /// <summary>The repository's last two path parts, as a GitHub <c>full_name</c> (owner/name) would be.</summary>
    private string FullName => string.Join('/', _repository.Path.TrimEnd('/').Split('/')[^2..]);

    [Fact]
    public async Task A_signed_branch_push_starts_a_webhook_pipeline_at_the_pushed_commit()
    {
        var pushed = _repository.Commit("pushed");
        var body = Body(TriggerServer.PushPayload("refs/heads/main", pushed, _repository.Path, "octo/app"));

        var response = await _server.DeliverAsync("app", "push", "d-1", body, TriggerServer.Signature(_secret, body));

        await Expect.StatusAsync(response, 201);
        var delivery = (await response.Content.ReadFromJsonAsync<HookDeliveryView>(ApiJson.Options))!;
        Assert.Equal(HookOutcomes.Triggered, delivery.Outcome);
        var pipeline = Assert.Single(await _server.PipelinesAsync("app"));
        Assert.Equal(pipeline.Id, delivery.PipelineId);
        Assert.Equal($"/api/pipelines/{pipeline.Id}", response.Headers.Location?.OriginalString);
        Assert.Equal("webhook", pipeline.TriggerSource);
        Assert.Equal("main", pipeline.Branch);
        Assert.Equal(pushed, pipeline.Commit);
        Assert.Contains("source=webhook branch=main tag=.", await _server.FirstJobLogAsync(pipeline.Id), StringComparison.Ordinal);

        // Triggered by the member who made the secret (here the admin).
        await using var db = _server.Db();
        var triggeredBy = await db.Pipelines.Where(p => p.Id == pipeline.Id).Select(p => p.TriggeredBy).SingleAsync();
        Assert.Equal("admin", await db.Users.Where(u => u.Id == triggeredBy).Select(u => u.Name).SingleAsync());
    }

    /// <summary>A Travis job of a pushed commit sees Travis's push event and the commit's message (§B0).</summary>
    [Fact]
    public async Task A_travis_job_of_a_push_sees_the_push_event_and_the_commit_message()
    {
        using var travis = GitRepository.WithFiles((".travis.yml", "language: shell\nscript: echo \"event=$TRAVIS_EVENT_TYPE message=$TRAVIS_COMMIT_MESSAGE.\"\n"));
        await _server.AddProjectAsync("travis-app", travis.Path);
        var secret = await _server.HookSecretAsync("travis-app");
        var pushed = travis.Commit("pushed for travis");
        var body = Body(TriggerServer.PushPayload("refs/heads/main", pushed, travis.Path, "octo/travis-app"));

        await Expect.StatusAsync(await _server.DeliverAsync("travis-app", "push", "t-1", body, TriggerServer.Signature(secret, body)), 201);

        var pipeline = Assert.Single(await _server.PipelinesAsync("travis-app"));
        Assert.Contains("event=push message=pushed for travis.", await _server.FirstJobLogAsync(pipeline.Id), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tag_push_starts_a_tag_pipeline()
    {
        var tagged = _repository.Commit("release");
        _repository.Run("tag", "v2.0.0");

        var body = Body(TriggerServer.PushPayload("refs/tags/v2.0.0", tagged, _repository.Path, "octo/app"));
        var response = await _server.DeliverAsync("app", "push", "d-tag", body, TriggerServer.Signature(_secret, body));

        await Expect.StatusAsync(response, 201);
        var pipeline = Assert.Single(await _server.PipelinesAsync("app"));
        Assert.Equal("v2.0.0", pipeline.Tag);
        Assert.Null(pipeline.Branch);
        Assert.Equal(tagged, pipeline.Commit);
        Assert.Contains("source=webhook branch= tag=v2.0.0.", await _server.FirstJobLogAsync(pipeline.Id), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_repository_may_be_named_by_full_name_alone()
    {
        var body = Body(TriggerServer.PushPayload("refs/heads/main", Head, "https://github.com/" + FullName + ".git", FullName));

        var response = await _server.DeliverAsync("app", "push", "d-name", body, TriggerServer.Signature(_secret, body));

        await Expect.StatusAsync(response, 201);
    }

    [Fact]
    public async Task A_wrong_or_missing_signature_is_401_and_starts_nothing_stores_nothing()
    {
        var body = Body(TriggerServer.PushPayload("refs/heads/main", Head, _repository.Path, "octo/app"));
        var otherSecret = TriggerServer.Signature("not-the-secret", body);
        var tampered = Body(TriggerServer.PushPayload("refs/heads/main", new string('a', 40), _repository.Path, "octo/app"));

        var responses = new[]
        {
            await _server.DeliverAsync("app", "push", "d-401a", body, null),
            await _server.DeliverAsync("app", "push", "d-401b", body, otherSecret),
            await _server.DeliverAsync("app", "push", "d-401c", body, "sha256=zz"),
            await _server.DeliverAsync("app", "push", "d-401d", body, TriggerServer.Signature(_secret, body).Replace("sha256=", "sha1=", StringComparison.Ordinal)),
            await _server.DeliverAsync("app", "push", "d-401e", tampered, TriggerServer.Signature(_secret, body)),
            await _server.DeliverAsync("nosuchproject", "push", "d-401f", body, TriggerServer.Signature(_secret, body)),
        };

        foreach (var response in responses)
        {
            await Expect.ProblemAsync(response, 401, HookErrorCodes.SignatureInvalid);
        }

        Assert.Empty(await _server.PipelinesAsync("app"));
        await using var db = _server.Db();
        Assert.False(await db.HookDeliveries.AnyAsync());
    }

    [Fact]
    public async Task A_project_without_a_secret_refuses_every_delivery()
    {
        using var repository = GitRepository.WithFiles((".circleci/config.yml", Config));
        await _server.AddProjectAsync("nosecret", repository.Path);
        var body = Body(TriggerServer.PushPayload("refs/heads/main", Head, repository.Path, "octo/app"));

        // Signed with the empty key, or with another project's secret: neither is this project's.
        var empty = await _server.DeliverAsync("nosecret", "push", "d-empty", body, TriggerServer.Signature("", body));
        var other = await _server.DeliverAsync("nosecret", "push", "d-other", body, TriggerServer.Signature(_secret, body));

        await Expect.ProblemAsync(empty, 401, HookErrorCodes.SignatureInvalid);
        await Expect.ProblemAsync(other, 401, HookErrorCodes.SignatureInvalid);
        Assert.Empty(await _server.PipelinesAsync("nosecret"));
    }

    [Fact]
    public async Task The_same_delivery_twice_answers_with_the_first_pipeline_and_starts_no_other()
    {
        var body = Body(TriggerServer.PushPayload("refs/heads/main", Head, _repository.Path, "octo/app"));
        var signature = TriggerServer.Signature(_secret, body);

        var first = await _server.DeliverAsync("app", "push", "d-twice", body, signature);
        var again = await _server.DeliverAsync("app", "push", "d-twice", body, signature);

        await Expect.StatusAsync(first, 201);
        await Expect.StatusAsync(again, 200);
        var firstView = (await first.Content.ReadFromJsonAsync<HookDeliveryView>(ApiJson.Options))!;
        var againView = (await again.Content.ReadFromJsonAsync<HookDeliveryView>(ApiJson.Options))!;
        Assert.Equal(firstView.PipelineId, againView.PipelineId);
        Assert.Single(await _server.PipelinesAsync("app"));

        // Delivered at the same moment: one pipeline, whichever answers first.
        var concurrent = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => _server.DeliverAsync("app", "push", "d-concurrent", body, signature)));
        Assert.Equal(1, concurrent.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.All(concurrent, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.OK, HttpStatusCode.Conflict }));
        Assert.Equal(2, (await _server.PipelinesAsync("app")).Count);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_body_of_50_MB_is_refused_413_before_it_is_read_to_the_end(bool chunked)
    {
        // Sent as GitHub's sender would, without waiting for a "100 Continue": with a length the server refuses before
        // reading; chunked, it stops reading past its limit. Either way the answer comes while the body is still going.
        const long Size = 50L * 1024 * 1024;
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(_server.Address.Host, _server.Address.Port);
        var stream = tcp.GetStream();
        var head = "POST /api/projects/app/hooks/github HTTP/1.1\r\n"
            + $"Host: {_server.Address.Authority}\r\nContent-Type: application/json\r\nX-GitHub-Event: push\r\nX-GitHub-Delivery: d-big\r\n"
            + $"X-Hub-Signature-256: sha256={new string('0', 64)}\r\n"
            + (chunked ? "Transfer-Encoding: chunked\r\n" : $"Content-Length: {Size}\r\n")
            + "\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        var answer = ReadAnswerAsync(stream);
        long sent = 0;
        var chunk = new byte[64 * 1024];
        Array.Fill(chunk, (byte)' ');
        var framing = Encoding.ASCII.GetBytes($"{chunk.Length:x}\r\n");
        try
        {
            while (sent < Size && !answer.IsCompleted)
            {
                if (chunked)
                {
                    await stream.WriteAsync(framing);
                }

                await stream.WriteAsync(chunk);
                await stream.WriteAsync(chunked ? "\r\n"u8.ToArray() : []);
                sent += chunk.Length;
            }
        }
        catch (IOException)
        {
            // The server answered and closed the connection: the rest is never sent.
        }

        var response = await answer.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.StartsWith("HTTP/1.1 413 ", response, StringComparison.Ordinal);
        Assert.Contains(HookErrorCodes.PayloadTooLarge, response, StringComparison.Ordinal);
        Assert.True(sent < Size, $"the whole body was sent ({sent} bytes)");
        Assert.Empty(await _server.PipelinesAsync("app"));
    }

    /// <summary>Reads the answer's head and as much of its body as comes before the server closes or stops for a second.</summary>
    private static async Task<string> ReadAnswerAsync(Stream stream)
    {
        var buffer = new byte[16 * 1024];
        var text = new StringBuilder();
        while (true)
        {
            using var quiet = new CancellationTokenSource(TimeSpan.FromSeconds(text.Length == 0 ? 60 : 1));
            int read;
            try
            {
                read = await stream.ReadAsync(buffer, quiet.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException)
            {
                return text.ToString();
            }

            if (read == 0)
            {
                return text.ToString();
            }

            text.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_400()
    {
        var body = Encoding.UTF8.GetBytes("payload=%7B%22ref%22%3A%22refs%2Fheads%2Fmain%22%7D");

        var response = await _server.DeliverAsync("app", "push", "d-form", body, TriggerServer.Signature(_secret, body));

        await Expect.ProblemAsync(response, 400, ErrorCodes.InvalidRequest);
        Assert.Empty(await _server.PipelinesAsync("app"));
    }

    [Fact]
    public async Task A_push_for_another_repository_is_422()
    {
        var body = Body(TriggerServer.PushPayload("refs/heads/main", Head, "https://github.com/someone/else.git", "someone/else"));

        var response = await _server.DeliverAsync("app", "push", "d-other-repo", body, TriggerServer.Signature(_secret, body));

        var problem = await Expect.ProblemAsync(response, 422, HookErrorCodes.WrongRepository);
        Assert.Contains("someone/else", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(await _server.PipelinesAsync("app"));
    }

    [Fact]
    public async Task Ping_other_events_and_deleted_refs_start_nothing()
    {
        var ping = Body("""{"zen":"Keep it logically awesome.","hook_id":1,"repository":{"full_name":"octo/app"}}""");
        var issue = Body("""{"action":"opened","issue":{"number":1}}""");
        var deleted = Body(TriggerServer.PushPayload("refs/heads/gone", new string('0', 40), _repository.Path, "octo/app", deleted: true));

        var pong = await _server.DeliverAsync("app", "ping", "d-ping", ping, TriggerServer.Signature(_secret, ping));
        var ignored = await _server.DeliverAsync("app", "issues", "d-issue", issue, TriggerServer.Signature(_secret, issue));
        var gone = await _server.DeliverAsync("app", "push", "d-deleted", deleted, TriggerServer.Signature(_secret, deleted));

        await Expect.StatusAsync(pong, 200);
        Assert.Equal(HookOutcomes.Pong, (await pong.Content.ReadFromJsonAsync<HookDeliveryView>(ApiJson.Options))!.Outcome);
        foreach (var response in new[] { ignored, gone })
        {
            await Expect.StatusAsync(response, 202);
            var view = (await response.Content.ReadFromJsonAsync<HookDeliveryView>(ApiJson.Options))!;
            Assert.Equal(HookOutcomes.Ignored, view.Outcome);
            Assert.False(string.IsNullOrWhiteSpace(view.Detail));
        }

        Assert.Empty(await _server.PipelinesAsync("app"));
    }

    [Fact]
    public async Task A_push_whose_config_is_broken_is_422_with_the_errors_and_can_be_redelivered()
    {
        var broken = _repository.Commit("broken", (".circleci/config.yml", "version: 2.1\njobs:\n  build:\n    steps: 5\n"));
        var body = Body(TriggerServer.PushPayload("refs/heads/main", broken, _repository.Path, "octo/app"));
        var signature = TriggerServer.Signature(_secret, body);

        var response = await _server.DeliverAsync("app", "push", "d-broken", body, signature);

        var problem = await Expect.ProblemAsync(response, 422, ErrorCodes.ConfigInvalid);
        Assert.True(problem.GetProperty("errors").GetArrayLength() > 0);
        await using (var db = _server.Db())
        {
            Assert.False(await db.HookDeliveries.AnyAsync());
        }

        // A refused push leaves no claim: GitHub's "Redeliver" of the same id is handled again (not answered from memory).
        var again = await _server.DeliverAsync("app", "push", "d-broken", body, signature);
        await Expect.ProblemAsync(again, 422, ErrorCodes.ConfigInvalid);
        Assert.Empty(await _server.PipelinesAsync("app"));
    }

    [Fact]
    public async Task The_hook_api_shows_the_secret_once_keeps_it_and_rotates_it_for_writers_only()
    {
        var view = (await _server.Client.GetFromJsonAsync<HookView>("/api/projects/app/hook", ApiJson.Options))!;
        Assert.True(view.HasSecret);
        Assert.Null(view.Secret);
        Assert.Equal("/api/projects/app/hooks/github", view.Path);
        Assert.Equal(new Uri(_server.Address, view.Path).AbsoluteUri, view.Url);
        Assert.Equal("admin", view.SecretCreatedBy);

        // Asking again makes nothing new and shows nothing.
        var kept = await _server.Client.PostAsJsonAsync("/api/projects/app/hook", new CreateHookRequest(false), ApiJson.Options);
        await Expect.StatusAsync(kept, 200);
        Assert.Null((await kept.Content.ReadFromJsonAsync<HookView>(ApiJson.Options))!.Secret);

        var rotated = await _server.Client.PostAsJsonAsync("/api/projects/app/hook", new CreateHookRequest(true), ApiJson.Options);
        await Expect.StatusAsync(rotated, 201);
        var newSecret = (await rotated.Content.ReadFromJsonAsync<HookView>(ApiJson.Options))!.Secret!;
        Assert.NotEqual(_secret, newSecret);
        var body = Body(TriggerServer.PushPayload("refs/heads/main", Head, _repository.Path, "octo/app"));
        await Expect.ProblemAsync(await _server.DeliverAsync("app", "push", "d-old", body, TriggerServer.Signature(_secret, body)), 401, HookErrorCodes.SignatureInvalid);
        await Expect.StatusAsync(await _server.DeliverAsync("app", "push", "d-new", body, TriggerServer.Signature(newSecret, body)), 201);

        // A read member sees the hook, not the secret, and cannot rotate it.
        var token = await CreateUserAsync("reader");
        var member = await _server.Client.PutAsJsonAsync("/api/projects/app/members/reader", new { role = "read" }, ApiJson.Options);
        Assert.True(member.IsSuccessStatusCode, await member.Content.ReadAsStringAsync());
        using var reader = _server.ClientFor(token);
        Assert.True((await reader.GetFromJsonAsync<HookView>("/api/projects/app/hook", ApiJson.Options))!.HasSecret);
        await Expect.ProblemAsync(await reader.PostAsJsonAsync("/api/projects/app/hook", new CreateHookRequest(true), ApiJson.Options), 403, ErrorCodes.Forbidden);
    }

    private static byte[] Body(string json) => Encoding.UTF8.GetBytes(json);

    private async Task<string> CreateUserAsync(string name)
    {
        var response = await _server.Client.PostAsJsonAsync("/api/users", new { name });
        await Expect.StatusAsync(response, 201);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString()!;
    }
}
