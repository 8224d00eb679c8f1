using System.Net.Http.Json;
using Porthole.Contracts.Api;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests;

/// <summary>
/// A debug session's <c>porthole_run_step</c> runs the typed job-data steps too (issue 11): the window asks the runner,
/// which runs the step with its own handler against the real server, shows what it says and records the exit code.
/// </summary>
public sealed class DebugJobDataTests : IAsyncLifetime
{
    // Steps: 0 run, 1 store_artifacts, 2 save_cache, 3 run, 4 restore_cache, 5 run, 6 a save_cache whose key names a file
    // that does not exist (a step error, §A5: never an empty key). The busybox image has no bash: the windows' shell is sh.
    private static string Config(string executor) => $$$"""
        version: 2.1
        jobs:
          build:
        {{{executor}}}
            steps:
              - run: mkdir -p out deps && echo artifact-body > out/report.txt && echo "cached-by-the-$((1 + 1))-build" > deps/lib.txt
              - store_artifacts:
                  path: out
                  destination: reports
              - save_cache:
                  key: deps-{{ checksum "deps/lib.txt" }}
                  paths: [deps]
              - run: rm -rf deps
              - restore_cache:
                  keys: [deps-]
              - run: cat deps/lib.txt
              - save_cache:
                  key: broken-{{ checksum "no-such-file" }}
                  paths: [deps]
        workflows:
          main:
            jobs: [build]
        """;

    private readonly TempFolder _data = new();
    private readonly TempFolder _keys = new();
    private GitRepository? _repository;
    private RunningServer? _server;
    private SshKeyFile _key = null!;
    private long _jobId;

    private RunningServer Server => _server!;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await Server.DisposeAsync();
        }

        _repository?.Dispose();
        _keys.Dispose();
        _data.Dispose();
    }

    [Theory]
    [InlineData("shell")]
    [InlineData("docker")]
    public async Task Porthole_run_step_stores_an_artifact_saves_and_restores_a_cache_and_records_each_exit_code(string executor)
    {
        await StartAsync(executor == "docker" ? $"    docker:\n      - image: {DockerTestImages.Busybox}" : string.Empty);

        // The build ran them all by itself first: one artifact, one cache, and the broken key failed the job.
        var built = await Server.LogAsync(_jobId);
        Assert.Contains("cached-by-the-2-build", built, StringComparison.Ordinal);
        Assert.Equal(["reports/report.txt"], (await ArtifactsAsync()).Items.Select(a => a.Path));

        await Expect.StatusAsync(await Server.Client.PostAsJsonAsync($"/api/jobs/{_jobId}/debug", new DebugJobRequest(false), ApiJson.Options), 202);
        var view = await Server.WaitForSshViewAsync(_jobId, v => v.Debug && v.Nodes is [{ Port: not null }, ..]);
        var node = view.Nodes[0];
        var ssh = new SshClient(_keys.Path);
        ssh.Pin(node.Host!, node.Port!.Value, node.HostKey!);
        using var terminal = InteractiveSsh.Start(ssh, node, _key);
        await terminal.WaitForAsync("porthole-debug:");

        // porthole_steps lists the typed steps by what they name.
        await terminal.TypeAsync("porthole_steps\r");
        await terminal.WaitForAsync("save_cache deps-{{ checksum \"deps/lib.txt\" }}");
        await terminal.WaitForAsync("store_artifacts out as reports");

        // The files the session makes differ from the build's: a new artifact, and a cache under a new key (its checksum).
        await terminal.TypeAsync(
            "porthole_run_step 0 && echo \"debug-$((6 * 7))\" > deps/lib.txt && echo from-the-session > out/session.txt"
            + " && porthole_run_step 1 && porthole_run_step 2 && porthole_run_step 3 && porthole_run_step 4 && porthole_run_step 5;"
            + " porthole_run_step 6; echo \"after-all-$((5 * 5))\"\r");
        var log = await Server.WaitForLogAsync(_jobId, "porthole_run_step 6 exited with 1");
        foreach (var step in new[] { 0, 1, 2, 3, 4, 5 })
        {
            Assert.True(log.Contains($"porthole_run_step {step} exited with 0\n", StringComparison.Ordinal), log);
        }

        // The window showed what the runner said, and went on after the failed step.
        var shown = await terminal.WaitForAsync("after-all-25");
        Assert.Contains("Uploading", shown, StringComparison.Ordinal);
        Assert.Contains("Stored Cache to deps-", shown, StringComparison.Ordinal);
        Assert.Contains("Found a cache at deps-", shown, StringComparison.Ordinal);
        Assert.Contains("no-such-file", shown, StringComparison.Ordinal);

        // The restore put back the session's cache (the most recent of the prefix's matches, §A5), not the build's: step 5
        // printed it (only a cat prints either content: what was typed computes them).
        Assert.Contains("debug-42", shown, StringComparison.Ordinal);
        Assert.DoesNotContain("cached-by-the-2-build", shown, StringComparison.Ordinal);
        log = await Server.WaitForLogAsync(_jobId, "debug-42");
        Assert.DoesNotContain("cached-by-the-2-build", log, StringComparison.Ordinal);

        // The artifact the session stored is listed for the debug attempt and downloads as it was.
        var artifacts = await ArtifactsAsync();
        var session = Assert.Single(artifacts.Items, a => a.Path == "reports/session.txt");
        Assert.Equal("from-the-session\n".Length, session.Size);
        var response = await Server.Client.GetAsync(session.Url);
        await Expect.StatusAsync(response, 200);
        Assert.Equal("from-the-session\n", await response.Content.ReadAsStringAsync());

        await terminal.TypeAsync("exit\r");
        var job = await Server.WaitForJobAsync(_jobId, j => Status.IsFinished(j.Attempts[^1].Status), seconds: 30);
        Assert.Equal("The debug session ended: the last window was exited.", job.Attempts[^1].Nodes[0].Message);
    }

    private async Task StartAsync(string executor)
    {
        if (executor.Length > 0)
        {
            await DockerTestImages.EnsureAsync();
        }

        _repository = GitRepository.WithFiles((".circleci/config.yml", Config(executor)));
        _server = await RunningServer.StartAsync(_data.Path);
        await Server.AddProjectAsync("app", _repository.Path);
        _key = SshKeyFile.Generate(_keys.Path, "mine");
        await Server.Client.AddKeyAsync(_key);
        var pipeline = await Server.TriggerAsync("app");
        _jobId = pipeline.Workflows[0].Jobs[0].Id;
        await Server.WaitForPipelineAsync(pipeline.Id, seconds: 120);
    }

    private async Task<ArtifactList> ArtifactsAsync() =>
        (await Server.Client.GetFromJsonAsync<ArtifactList>($"/api/jobs/{_jobId}/artifacts", ApiJson.Options))!;
}
