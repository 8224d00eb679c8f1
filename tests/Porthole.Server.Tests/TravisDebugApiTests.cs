using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Porthole.Contracts.Api;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests;

/// <summary>Travis's <c>POST /job/{id}/debug</c> (R-DBG-1): the seed's curl command, unmodified but for the host, and Travis's errors.</summary>
public sealed class TravisDebugApiTests : IAsyncLifetime
{
    private readonly TempFolder _data = new();
    private readonly TempFolder _keys = new();
    private GitRepository _repository = null!;
    private RunningServer _server = null!;
    private string _token = null!;
    private long _jobId;
    private long _pipelineId;

    public async Task InitializeAsync()
    {
        _repository = GitRepository.WithFiles((".travis.yml", "language: shell\nscript:\n  - echo hello\n"));
        _server = await RunningServer.StartAsync(_data.Path);
        _token = File.ReadAllText(Path.Combine(_data.Path, "admin-token")).Trim();
        await _server.AddProjectAsync("app", _repository.Path);
        var key = SshKeyFile.Generate(_keys.Path, "mine");
        await _server.Client.AddKeyAsync(key);
        var pipeline = await _server.TriggerAsync("app");
        _pipelineId = pipeline.Id;
        _jobId = pipeline.Workflows[0].Jobs[0].Id;
        await _server.WaitForPipelineAsync(pipeline.Id);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _repository.Dispose();
        _keys.Dispose();
        _data.Dispose();
    }

    [Theory]
    [InlineData("{\"quiet\": true}", true)]
    [InlineData("{}", false)]
    public async Task The_seeds_curl_command_restarts_the_job_in_debug_mode(string body, bool quiet)
    {
        var (status, answer) = await CurlAsync(_token, $"/job/{_jobId}/debug", body);
        Assert.Equal(202, status);
        Assert.Equal("pending", answer.GetProperty("@type").GetString());
        Assert.Equal("created", answer.GetProperty("state_change").GetString());
        Assert.Equal("job", answer.GetProperty("resource_type").GetString());
        var job = answer.GetProperty("job");
        Assert.Equal("job", job.GetProperty("@type").GetString());
        Assert.Equal($"/job/{_jobId}", job.GetProperty("@href").GetString());
        Assert.Equal("minimal", job.GetProperty("@representation").GetString());
        Assert.Equal(_jobId, job.GetProperty("id").GetInt64());

        var view = await _server.JobAsync(_jobId);
        Assert.Equal("debug", view.Attempts[^1].Reason);
        Assert.Equal(Status.Success, view.Status);

        // A second request while the debug run lives is refused as Travis does.
        var (again, error) = await CurlAsync(_token, $"/v3/job/{_jobId}/debug", body);
        Assert.Equal(409, again);
        Assert.Equal("job_already_running", error.GetProperty("error_type").GetString());

        var log = "";
        for (var i = 0; i < 400 && !log.Contains("This debug build will stay alive", StringComparison.Ordinal); i++)
        {
            await Task.Delay(50);
            log = await _server.LogAsync(_jobId);
        }

        Assert.Contains("Debug build initiated by admin", log, StringComparison.Ordinal);
        Assert.Equal(quiet, log.Contains("This build is running in quiet mode. No session output will be displayed.", StringComparison.Ordinal));

        await Expect.StatusAsync(await _server.Client.PostAsync($"/api/jobs/{_jobId}/cancel", null), 202);
        var ended = await _server.WaitForJobAsync(_jobId, j => Status.IsFinished(j.Attempts[^1].Status), seconds: 30);
        Assert.Equal(Status.Success, ended.Status);
        Assert.Equal(Status.Success, (await _server.PipelineAsync(_pipelineId)).Status);

        // Travis's own read of the job still says what it said before the debug run, in Travis's words.
        using var travis = _server.ClientFor(null);
        travis.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", $"token {_token}");
        travis.DefaultRequestHeaders.Add("Travis-API-Version", "3");
        var state = JsonDocument.Parse(await travis.GetStringAsync($"/job/{_jobId}")).RootElement;
        Assert.Equal("passed", state.GetProperty("state").GetString());
        Assert.Equal(_pipelineId, state.GetProperty("build").GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task Errors_come_in_travis_shapes()
    {
        await ExpectErrorAsync(null, $"/job/{_jobId}/debug", 403, "login_required");
        await ExpectErrorAsync("not-a-token", $"/job/{_jobId}/debug", 403, "login_required");
        await ExpectErrorAsync(_token, "/job/987654/debug", 404, "not_found");
        await ExpectErrorAsync(_token, "/job/abc/debug", 404, "not_found");
        var pipelineHint = await ExpectErrorAsync(_token, $"/job/{_pipelineId}/debug", 404, "not_found");
        Assert.Contains($"{_jobId}", pipelineHint, StringComparison.Ordinal);

        var reader = await _server.CreateUserAsync("reader");
        await Expect.StatusAsync(await _server.Client.PutAsJsonAsync("/api/projects/app/members/reader", new { role = "read" }), 204);
        var insufficient = await ExpectErrorAsync(reader, $"/job/{_jobId}/debug", 403, "insufficient_access");
        Assert.Contains("operation requires debug access to job", insufficient, StringComparison.Ordinal);

        await Expect.StatusAsync(await _server.Client.PutAsJsonAsync("/api/projects/app/settings", new ProjectSettingsRequest(false, null), ApiJson.Options), 200);
        var unavailable = await ExpectErrorAsync(_token, $"/job/{_jobId}/debug", 403, "debug_unavailable");
        Assert.Contains("debug mode not enabled", unavailable, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("install:\n  - exit 3\nscript:\n  - echo never", "errored")]
    [InlineData("script:\n  - exit 3", "failed")]
    [InlineData("script:\n  - echo fine", "passed")]
    public async Task A_jobs_state_is_in_travis_vocabulary(string phases, string state)
    {
        using var repository = GitRepository.WithFiles((".travis.yml", "language: shell\n" + phases + "\n"));
        var name = "t" + Guid.NewGuid().ToString("N")[..8];
        await _server.AddProjectAsync(name, repository.Path);
        var pipeline = await _server.TriggerAsync(name);
        await _server.WaitForPipelineAsync(pipeline.Id);
        using var travis = _server.ClientFor(null);
        travis.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", $"token {_token}");
        var job = JsonDocument.Parse(await travis.GetStringAsync($"/v3/job/{pipeline.Workflows[0].Jobs[0].Id}")).RootElement;
        Assert.True(state == job.GetProperty("state").GetString(), await _server.LogAsync(pipeline.Workflows[0].Jobs[0].Id));
        Assert.Equal($"{pipeline.Number}.1", job.GetProperty("number").GetString());
    }

    private async Task<string> ExpectErrorAsync(string? token, string path, int status, string type)
    {
        var (code, answer) = await CurlAsync(token, path, "{\"quiet\": true}");
        Assert.Equal(status, code);
        Assert.Equal("error", answer.GetProperty("@type").GetString());
        Assert.Equal(type, answer.GetProperty("error_type").GetString());
        var message = answer.GetProperty("error_message").GetString();
        Assert.False(string.IsNullOrWhiteSpace(message));
        return message!;
    }

    /// <summary>The seed's command, flag for flag; only the host differs (and -w prints the status after the body).</summary>
    private async Task<(int Status, JsonElement Body)> CurlAsync(string? token, string path, string body)
    {
        var start = new ProcessStartInfo("curl") { RedirectStandardOutput = true, RedirectStandardError = true };
        var arguments = new List<string>
        {
            "-s", "-X", "POST",
            "-H", "Content-Type: application/json",
            "-H", "Accept: application/json",
            "-H", "Travis-API-Version: 3",
        };
        if (token is not null)
        {
            arguments.AddRange(["-H", $"Authorization: token {token}"]);
        }

        arguments.AddRange(["-d", body, "-w", "\n%{http_code}", $"{_server.Address.ToString().TrimEnd('/')}{path}"]);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var curl = Process.Start(start)!;
        var output = await curl.StandardOutput.ReadToEndAsync();
        await curl.WaitForExitAsync();
        var split = output.LastIndexOf('\n');
        return (int.Parse(output[(split + 1)..], System.Globalization.CultureInfo.InvariantCulture), JsonDocument.Parse(output[..split]).RootElement);
    }
}
