using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Docker.DotNet;
using Docker.DotNet.Models;
using Porthole.Contracts.Api;
using Porthole.Execution.Docker;
using Porthole.Server.Tests.Support;
using Status = Porthole.Contracts.Api.Status;

namespace Porthole.Server.Tests;

/// <summary>
/// Hold on failure (R-BEY-1, issue 15): a node whose step failed is kept for SSH in its own attempt, as the step left it,
/// with the job already failed; the real server and runner, a real sshd, the real ssh client (also through the real
/// <c>porthole</c> CLI), and Docker for the docker executor.
/// </summary>
public sealed class HoldOnFailureTests : IAsyncLifetime
{
    private readonly TempFolder _data = new();
    private readonly TempFolder _keys = new();
    private readonly TempFolder _home = new();
    private readonly CapturingLauncher _launcher = new();
    private GitRepository? _repository;
    private RunningServer? _server;
    private SshKeyFile _mine = null!;

    private RunningServer Server => _server!;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _repository?.Dispose();
        _home.Dispose();
        _keys.Dispose();
        _data.Dispose();
    }

    [Theory]
    [InlineData("shell")]
    [InlineData("docker")]
    public async Task A_failed_step_keeps_its_node_with_its_files_and_processes_and_the_job_is_failed_already(string executor)
    {
        // The grace after each session keeps the node for the next (R-BEY-4).
        await StartAsync(executor, grace: true);
        var response = await Server.Client.PostAsJsonAsync("/api/projects/app/pipelines", new TriggerRequest(null, null) { HoldOnFailure = true }, ApiJson.Options);
        await Expect.StatusAsync(response, 201);
        var pipeline = (await response.Content.ReadFromJsonAsync<PipelineView>(ApiJson.Options))!;
        var jobId = pipeline.Workflows[0].Jobs.Single(j => j.Name == "build").Id;

        // The job is failed (and the one that requires it not run) while its node still waits for SSH, in the first attempt.
        var view = await Server.WaitForSshViewAsync(jobId, v => v.Nodes is [{ Port: not null, HeldAt: not null, EndsAt: not null }]);
        Assert.Equal(1, view.Attempt);
        var job = await Server.JobAsync(jobId);
        Assert.Equal(Status.Failed, job.Status);
        Assert.Single(job.Attempts);
        Assert.Equal(Status.Running, job.Attempts[0].Nodes[0].Status);
        Assert.NotNull(job.Attempts[0].Nodes[0].Ssh?.EndsAt);
        var listed = await Server.PipelineAsync(pipeline.Id);
        Assert.Equal(Status.Failed, listed.Status);
        Assert.Equal(Status.NotRun, listed.Workflows[0].Jobs.Single(j => j.Name == "after").Status);
        var held = Assert.Single(listed.Workflows[0].Jobs.Single(j => j.Name == "build").Held!);
        Assert.Equal(0, held.Node);

        // What the failed step left is there: its file, its process; the step after it never ran.
        var node = view.Nodes[0];
        var ssh = new SshClient(_keys.Path);
        ssh.Pin(node.Host!, node.Port!.Value, node.HostKey!);
        var inside = await ssh.SshAsync(_mine, node.User!, node.Host!, node.Port.Value,
            "cat evidence.txt; kill -0 \"$(cat daemon.pid)\" && echo daemon-alive; test -e never.txt || echo never-ran");
        Assert.True(inside.ExitCode == 0, inside.Error);
        Assert.Equal("left-by-the-step\ndaemon-alive\nnever-ran\n", inside.Output);
        if (executor == "docker")
        {
            var container = await ssh.SshAsync(_mine, node.User!, node.Host!, node.Port.Value, "test -e /.dockerenv && echo in-the-container");
            Assert.Equal("in-the-container\n", container.Output);
        }

        // The log: the failed step, then Enable SSH at that point saying so; the step after it skipped.
        var log = await Server.LogAsync(jobId);
        var failedAt = log.IndexOf("failing on purpose", StringComparison.Ordinal);
        var enableAt = log.IndexOf("==> Enable SSH", StringComparison.Ordinal);
        Assert.True(failedAt >= 0 && enableAt > failedAt, log);
        Assert.Contains("held for SSH (hold on failure)", log, StringComparison.Ordinal);
        Assert.Contains($"ssh -p {node.Port} {node.User}@{node.Host}", log, StringComparison.Ordinal);
        // The skipped step's report and the hold travel apart (the log's reports, the SSH endpoint's): wait for both.
        job = await Server.WaitForJobAsync(jobId, j => j.Attempts[0].Nodes[0].Steps.Any(s => s.Name == "never"), seconds: 30);
        var steps = job.Attempts[0].Nodes[0].Steps;
        Assert.Equal("skipped", steps.Single(s => s.Name == "never").Status);
        Assert.Equal(Status.Failed, steps.Single(s => s.Name == "fails").Status);

        // A cancel ends the node; the job keeps the steps' result.
        await Expect.StatusAsync(await Server.Client.PostAsync($"/api/jobs/{jobId}/cancel", null), 202);
        job = await Server.WaitForJobAsync(jobId, j => Status.IsFinished(j.Attempts[0].Nodes[0].Status), seconds: 30);
        Assert.Equal(Status.Failed, job.Attempts[0].Nodes[0].Status);
        Assert.Equal(Status.Failed, job.Status);
        Assert.Null(job.Attempts[0].Nodes[0].Ssh?.EndsAt);
        Assert.Null((await Server.PipelineAsync(pipeline.Id)).Workflows[0].Jobs.Single(j => j.Name == "build").Held);
    }

    [Fact]
    public async Task Porthole_trigger_holds_the_failed_node_porthole_jobs_shows_it_and_porthole_ssh_enters_it()
    {
        await StartAsync("shell", grace: true);
        var triggered = await CliAsync("trigger", "app", "--hold-on-failure");
        Assert.True(triggered.Code == 0, triggered.Err);
        var pipelineId = long.Parse(Regex.Match(triggered.Out, @"^pipeline (\d+) ").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var jobId = (await Server.PipelineAsync(pipelineId)).Workflows[0].Jobs.Single(j => j.Name == "build").Id;
        await Server.WaitForSshViewAsync(jobId, v => v.Nodes is [{ Port: not null, HeldAt: not null, EndsAt: not null }]);

        // porthole jobs names the held node, the time it has left, and the command that enters it.
        var jobs = await CliAsync("jobs", $"{pipelineId}");
        Assert.True(jobs.Code == 0, jobs.Err);
        Assert.Matches($@"\njob {jobId} build: node 0 is held for SSH after its step failed, \d+m\d*s? left: porthole ssh {jobId} --node 0\n", jobs.Out);

        // porthole ssh finds the held node in the job's own attempt (no rerun), pins its host key, picks the key it accepts.
        var entered = await CliAsync("ssh", $"{jobId}", "--", "cat", "evidence.txt");
        Assert.True(entered.Code == 0, entered.Err + _launcher.Error);
        Assert.Equal("left-by-the-step\n", _launcher.Output);

        await Expect.StatusAsync(await Server.Client.PostAsync($"/api/jobs/{jobId}/cancel", null), 202);
        await Server.WaitForJobAsync(jobId, j => Status.IsFinished(j.Attempts[0].Nodes[0].Status), seconds: 30);
    }

    [Fact]
    public async Task A_held_docker_node_keeps_its_service_container_running_and_reachable_until_it_is_released()
    {
        await StartAsync("docker", grace: true, service: true);
        await Expect.StatusAsync(
            await Server.Client.PutAsJsonAsync("/api/projects/app/settings", new ProjectSettingsRequest(null, null) { SshPortForwarding = true }, ApiJson.Options), 200);
        var response = await Server.Client.PostAsJsonAsync("/api/projects/app/pipelines", new TriggerRequest(null, null) { HoldOnFailure = true }, ApiJson.Options);
        await Expect.StatusAsync(response, 201);
        var jobId = (await response.Content.ReadFromJsonAsync<PipelineView>(ApiJson.Options))!.Workflows[0].Jobs.Single(j => j.Name == "build").Id;
        var node = (await Server.WaitForSshViewAsync(jobId, v => v.Nodes is [{ Port: not null, HeldAt: not null }])).Nodes[0];

        // Inside the held node the service still answers, by its name and on localhost, as it did for the failed step.
        var ssh = new SshClient(_keys.Path);
        ssh.Pin(node.Host!, node.Port!.Value, node.HostKey!);
        var inside = await ssh.SshAsync(_mine, node.User!, node.Host!, node.Port.Value,
            "cat pong.txt; echo ping | nc -w 2 cache 6379; echo ping | nc -w 2 localhost 6379; echo \"tag=$PORTHOLE_NODE_TAG\"");
        Assert.True(inside.ExitCode == 0, inside.Error);
        var lines = inside.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["PONG", "PONG", "PONG"], lines[..3]);
        var tag = lines[3]["tag=".Length..];
        Assert.NotEmpty(tag);

        // With port forwarding on, a forward to 127.0.0.1 reaches the node's loopback (sshd runs in its network), not the runner's.
        var forwarded = await ssh.ForwardAsync(_mine, node.User!, node.Host!, node.Port.Value, "127.0.0.1:6379");
        Assert.True(forwarded.ExitCode == 0, forwarded.Error);
        Assert.Equal("PONG\n", forwarded.Output);

        // On the host, the node's primary and service containers both run.
        using var docker = new DockerClientBuilder().WithEndpoint(new Uri("unix:///var/run/docker.sock")).Build();
        var containers = await ContainersOfAsync(docker, tag);
        Assert.Equal(["primary", "service"], containers.Select(c => c.Labels?[ContainerLabels.Role]).Order(StringComparer.Ordinal));
        Assert.All(containers, c => Assert.Equal("running", c.State));

        // A release ends the node, and its containers with it; the job stays failed.
        var released = await CliAsync("ssh", "release", $"{jobId}");
        Assert.True(released.Code == 0, released.Err);
        var job = await Server.WaitForJobAsync(jobId, j => Status.IsFinished(j.Attempts[0].Nodes[0].Status), seconds: 30);
        Assert.Equal(Status.Failed, job.Status);
        using var gone = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while ((await ContainersOfAsync(docker, tag)).Count > 0)
        {
            await Task.Delay(100, gone.Token);
        }
    }

    [Fact]
    public async Task The_project_setting_holds_every_pipeline_and_write_lets_every_writer_in_while_ssh_lets_only_the_triggerer()
    {
        // The grace after a session keeps the node for the next one (R-BEY-4).
        await StartAsync("shell", grace: true);
        var writerToken = await Server.CreateUserAsync("writer");
        await Expect.StatusAsync(await Server.Client.PutAsJsonAsync("/api/projects/app/members/writer", new { role = "write" }), 204);
        var writerKey = SshKeyFile.Generate(_keys.Path, "writer");
        using (var writer = Server.ClientFor(writerToken))
        {
            await writer.AddKeyAsync(writerKey);
        }

        // A value that is not one of off, ssh, write is refused with the values; nothing changes.
        var bad = await Server.Client.PutAsJsonAsync("/api/projects/app/settings", new { hold_on_failure = "always" });
        await Expect.StatusAsync(bad, 400);
        Assert.Contains("off, ssh, write", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var set = await Server.Client.PutAsJsonAsync("/api/projects/app/settings", new { hold_on_failure = "ssh" });
        await Expect.StatusAsync(set, 200);
        Assert.Equal(HoldOnFailureModes.Ssh, (await set.Content.ReadFromJsonAsync<ProjectView>(ApiJson.Options))!.HoldOnFailure);

        var pipeline = await Server.TriggerAsync("app");
        var jobId = pipeline.Workflows[0].Jobs.Single(j => j.Name == "build").Id;
        var node = (await Server.WaitForSshViewAsync(jobId, v => v.Nodes is [{ Port: not null, HeldAt: not null }])).Nodes[0];
        var ssh = new SshClient(_keys.Path);
        ssh.Pin(node.Host!, node.Port!.Value, node.HostKey!);

        // ssh: the triggerer only; the writer is refused with the reason.
        Assert.Equal(0, (await ssh.SshAsync(_mine, node.User!, node.Host!, node.Port.Value, "true")).ExitCode);
        Assert.NotEqual(0, (await ssh.SshAsync(writerKey, node.User!, node.Host!, node.Port.Value, "true")).ExitCode);
        var refused = await Server.WaitForSshViewAsync(jobId, v => v.KeyEvents.Any(e => !e.Accepted && e.Fingerprint == writerKey.Fingerprint));
        Assert.Contains("not the triggerer's key", refused.KeyEvents.First(e => e.Fingerprint == writerKey.Fingerprint).Reason, StringComparison.Ordinal);

        // write: every write member, from the next heartbeat on.
        await Expect.StatusAsync(await Server.Client.PutAsJsonAsync("/api/projects/app/settings", new { hold_on_failure = "write" }), 200);
        await Server.WaitForSshViewAsync(jobId, v => v.Nodes[0].AcceptedFingerprints.Contains(writerKey.Fingerprint));
        var entered = await ssh.SshAsync(writerKey, node.User!, node.Host!, node.Port.Value, "cat evidence.txt");
        Assert.True(entered.ExitCode == 0, entered.Error);
        Assert.Equal("left-by-the-step\n", entered.Output);

        await Expect.StatusAsync(await Server.Client.PostAsync($"/api/jobs/{jobId}/cancel", null), 202);
        await Server.WaitForJobAsync(jobId, j => Status.IsFinished(j.Attempts[0].Nodes[0].Status), seconds: 30);
    }

    [Fact]
    public async Task A_pipeline_that_passes_is_not_held_and_shows_no_ssh_section_and_a_project_without_ssh_refuses_the_flag()
    {
        await StartAsync("shell", passing: true);
        var response = await Server.Client.PostAsJsonAsync("/api/projects/app/pipelines", new TriggerRequest(null, null) { HoldOnFailure = true }, ApiJson.Options);
        await Expect.StatusAsync(response, 201);
        var pipeline = await Server.WaitForPipelineAsync((await response.Content.ReadFromJsonAsync<PipelineView>(ApiJson.Options))!.Id);
        Assert.Equal(Status.Success, pipeline.Status);
        var job = await Server.JobAsync(pipeline.Workflows[0].Jobs[0].Id);
        Assert.DoesNotContain(job.Attempts[0].Nodes[0].Steps, s => s.Name is "Enable SSH" or "Wait for SSH");
        Assert.Null(job.Attempts[0].Nodes[0].Ssh);

        await Expect.StatusAsync(await Server.Client.PutAsJsonAsync("/api/projects/app/settings", new { debug_enabled = false }), 200);
        var refused = await Server.Client.PostAsJsonAsync("/api/projects/app/pipelines", new TriggerRequest(null, null) { HoldOnFailure = true }, ApiJson.Options);
        await Expect.StatusAsync(refused, 403);
        Assert.Contains("debug_enabled is off", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Single(await Server.Client.GetFromJsonAsyncOrFail<List<PipelineView>>("/api/projects/app/pipelines"));
    }

    private async Task StartAsync(string executor, bool passing = false, bool grace = false, bool service = false)
    {
        var image = string.Empty;
        var ping = string.Empty;
        if (executor == "docker")
        {
            await DockerTestImages.EnsureAsync();
            image = $"    docker:\n      - image: {DockerTestImages.Busybox}\n";
            if (service)
            {
                // The failed step uses the service first, so it fails with the service up.
                image += $"      - image: {DockerTestImages.Service}\n        name: cache\n";
                ping = DockerTestImages.WaitForService + "echo ping | nc -w 2 cache 6379 > pong.txt; ";
            }
        }

        var failing = passing ? "echo fine" : "echo failing on purpose; exit 3";
        var config = $"""
            version: 2
            jobs:
              build:
            {image}    steps:
                  - run:
                      name: fails
                      command: |
                        {ping}echo left-by-the-step > evidence.txt
                        setsid sleep 600 > /dev/null 2>&1 < /dev/null &
                        echo $! > daemon.pid
                        {failing}
                  - run:
                      name: never
                      command: echo never > never.txt
              after:
                steps:
                  - run: echo after
            workflows:
              main:
                jobs:
                  - build
                  - after:
                      requires: [build]
            """;
        _repository = GitRepository.WithFiles((".circleci/config.yml", config));
        _server = await RunningServer.StartAsync(_data.Path, grace ? new Dictionary<string, string?> { ["Porthole:SshGracePeriod"] = "00:02:00" } : null);
        await Server.AddProjectAsync("app", _repository.Path);
        _mine = SshKeyFile.Generate(_keys.Path, "mine");
        await Server.Client.AddKeyAsync(_mine);
    }

    /// <summary>The real CLI, logged in as the admin, with the user's key as its home's <c>~/.ssh/id_ed25519</c>.</summary>
    private async Task<(int Code, string Out, string Err)> CliAsync(params string[] args)
    {
        var dotSsh = Path.Combine(_home.Path, ".ssh");
        if (!Directory.Exists(dotSsh))
        {
            Directory.CreateDirectory(dotSsh);
            File.Copy(_mine.PrivateKeyPath, Path.Combine(dotSsh, "id_ed25519"));
            File.Copy(_mine.PrivateKeyPath + ".pub", Path.Combine(dotSsh, "id_ed25519.pub"));
        }

        var environment = new Dictionary<string, string>
        {
            ["HOME"] = _home.Path,
            ["PORTHOLE_CONFIG"] = Path.Combine(_home.Path, "config.json"),
            ["PORTHOLE_SERVER"] = Server.Address.ToString(),
            ["PORTHOLE_TOKEN"] = File.ReadAllText(Path.Combine(_data.Path, "admin-token")).Trim(),
        };
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await Cli.Cli.RunAsync(args, Cli.CliContext.Create(output, error, environment), _launcher, CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }

    private static async Task<IList<ContainerListResponse>> ContainersOfAsync(DockerClient docker, string tag) =>
        await docker.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{ContainerLabels.Node}={tag}"] = true } },
        });
}
