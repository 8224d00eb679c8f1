using Porthole.Contracts.Api;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.Travis;

/// <summary>
/// Travis's <c>services:</c> on real runs (issue 13, §B12): a <c>language: python</c> job with <c>services: [redis]</c>
/// reaches redis on localhost and by the service's name, the images coming from the runner's image table
/// (<c>Runner:Images</c>). A version without an official image (<c>rvm: ruby-head</c>) ends infrastructure_fail naming
/// the setting, and runs once the table maps it. Nothing can be pulled here, so the class builds its two images itself
/// (<see cref="ServiceImages"/>), once, and removes them afterwards.
/// </summary>
public sealed class TravisServicesRunTests(TravisServicesRunTests.ServiceImages images) : IClassFixture<TravisServicesRunTests.ServiceImages>, IDisposable
{
    private const string PingScript = """
        import socket, sys, time

        # The service starts beside the job; give it a few seconds to listen.
        for host in ("localhost", "redis"):
            deadline = time.time() + 30
            while True:
                try:
                    with socket.create_connection((host, 6379), timeout=5) as connection:
                        connection.sendall(b"PING\r\n")
                        print("%s:6379 answered %s" % (host, connection.recv(64).decode().strip()))
                        break
                except OSError as error:
                    if time.time() > deadline:
                        sys.exit("%s:6379: %s" % (host, error))
                    time.sleep(0.5)
        """;

    private readonly TempFolder _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task A_python_job_reaches_its_redis_service_on_localhost_and_by_name_in_the_images_of_the_runners_table()
    {
        using var repository = GitRepository.WithFiles(
            (".travis.yml", "language: python\nservices:\n  - redis\nscript: python ping.py\n"),
            ("ping.py", PingScript + "\n"));
        await using var server = await RunningServer.StartAsync(_data.Path, new Dictionary<string, string?>
        {
            ["Runner:Images:python"] = images.Python,
            ["Runner:Images:redis"] = images.Redis,
        });
        await server.AddProjectAsync("app", repository.Path);

        var finished = await server.WaitForPipelineAsync((await server.TriggerAsync("app")).Id, seconds: 180);

        var job = finished.Workflows.Single().Jobs.Single();
        var log = await server.LogAsync(job.Id);
        Assert.True(finished.Status == Status.Success, log);
        Assert.Contains("localhost:6379 answered +PONG", log, StringComparison.Ordinal);
        Assert.Contains("redis:6379 answered +PONG", log, StringComparison.Ordinal);
        Assert.Contains(images.Python, log, StringComparison.Ordinal);
        // The executor removed the node's containers, the service's too.
        Assert.Equal("", await ContainersOfAsync(images.Python));
        Assert.Equal("", await ContainersOfAsync(images.Redis));
    }

    [Fact]
    public async Task A_version_without_an_image_ends_infrastructure_fail_naming_the_setting_and_runs_once_the_table_maps_it()
    {
        using var repository = GitRepository.WithFiles((".travis.yml", "language: ruby\nrvm: ruby-head\nscript: echo \"ran in $IMAGE_MARK\"\n"));

        await using (var refusing = await RunningServer.StartAsync(Directory.CreateDirectory(_data.Combine("refusing")).FullName))
        {
            await refusing.AddProjectAsync("app", repository.Path);
            var refused = await refusing.WaitForPipelineAsync((await refusing.TriggerAsync("app")).Id, seconds: 60);

            var job = refused.Workflows.Single().Jobs.Single();
            Assert.Equal(Status.InfrastructureFail, job.Status);
            var message = (await refusing.JobAsync(job.Id)).Attempts[^1].Nodes[0].Message;
            Assert.Contains("ruby ruby-head has no image on this runner", message, StringComparison.Ordinal);
            Assert.Contains("nightly build of Ruby", message, StringComparison.Ordinal);
            Assert.Contains("Runner:Images:ruby ruby-head", message, StringComparison.Ordinal);
            Assert.Contains("Runner:Images:ruby ruby-head", await refusing.LogAsync(job.Id), StringComparison.Ordinal);
        }

        await using var serving = await RunningServer.StartAsync(Directory.CreateDirectory(_data.Combine("serving")).FullName, new Dictionary<string, string?>
        {
            // The exact key wins over the bare name.
            ["Runner:Images:ruby"] = "porthole-test/none-such:1",
            ["Runner:Images:ruby ruby-head"] = images.Python,
        });
        await serving.AddProjectAsync("app", repository.Path);
        var finished = await serving.WaitForPipelineAsync((await serving.TriggerAsync("app")).Id, seconds: 120);

        var served = finished.Workflows.Single().Jobs.Single();
        var log = await serving.LogAsync(served.Id);
        Assert.True(finished.Status == Status.Success, log);
        Assert.Contains("ran in services-test", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_version_on_a_runner_without_a_Docker_engine_names_the_choice_and_its_image()
    {
        using var repository = GitRepository.WithFiles((".travis.yml", "language: node_js\nnode_js: \"18\"\nscript: true\n"));
        await using var server = await RunningServer.StartAsync(_data.Path, new Dictionary<string, string?>
        {
            ["Runner:Docker:Endpoint"] = "unix://" + _data.Combine("no-engine.sock"),
        });
        await server.AddProjectAsync("app", repository.Path);

        var finished = await server.WaitForPipelineAsync((await server.TriggerAsync("app")).Id, seconds: 60);

        var job = finished.Workflows.Single().Jobs.Single();
        Assert.Equal(Status.InfrastructureFail, job.Status);
        var message = (await server.JobAsync(job.Id)).Attempts[^1].Nodes[0].Message;
        Assert.Contains("node_js 18 needs a container (node:18) and this runner has no Docker engine", message, StringComparison.Ordinal);
        Assert.Contains("Runner:Docker:RunOnShell", message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A runner that runs docker jobs on its own system serves a Travis version only when the host has it (issue 13):
    /// python 2.6 (this machine has a python 3) ends infrastructure_fail naming the version, the host's own and what
    /// would serve it; python 3 runs there with the host's python.
    /// </summary>
    [Fact]
    public async Task On_a_runner_that_runs_docker_jobs_on_its_host_a_version_the_host_lacks_is_infrastructure_fail_naming_it()
    {
        using var repository = GitRepository.WithFiles((".travis.yml", """
            language: python
            jobs:
              include:
                - python: "2.6"
                  script: echo should-not-run
                - python: "3"
                  install: true
                  script: python3 -c 'print("host-python-ran")'
            """));
        await using var server = await RunningServer.StartAsync(_data.Path, new Dictionary<string, string?>
        {
            ["Runner:Docker:RunOnShell"] = "true",
        });
        await server.AddProjectAsync("app", repository.Path);

        var finished = await server.WaitForPipelineAsync((await server.TriggerAsync("app")).Id, seconds: 120);

        var jobs = finished.Workflows.Single().Jobs;
        Assert.Equal(Status.InfrastructureFail, jobs[0].Status);
        var message = (await server.JobAsync(jobs[0].Id)).Attempts[^1].Nodes[0].Message;
        Assert.StartsWith("python 2.6 is not on this runner's own system, which has python 3.", message, StringComparison.Ordinal);
        Assert.EndsWith("install it, or run the job on a runner with a Docker engine, in its image (python:2.6)", message, StringComparison.Ordinal);
        Assert.DoesNotContain("should-not-run", await server.LogAsync(jobs[0].Id), StringComparison.Ordinal);
        Assert.True(jobs[1].Status == Status.Success, await server.LogAsync(jobs[1].Id));
        Assert.Contains("host-python-ran", await server.LogAsync(jobs[1].Id), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_runner_image_table_with_a_bad_key_or_image_stops_the_server_at_start()
    {
        foreach (var (key, image) in new[] { ("python 3 8", "python:3.8"), ("redis", "redis 7") })
        {
            var refused = await Assert.ThrowsAnyAsync<Exception>(async () =>
            {
                await using var server = await RunningServer.StartAsync(
                    Directory.CreateDirectory(_data.Combine(Guid.NewGuid().ToString("N"))).FullName,
                    new Dictionary<string, string?> { ["Runner:Images:" + key] = image });
            });
            Assert.Contains("Runner:Images is invalid", refused.ToString(), StringComparison.Ordinal);
        }
    }

    private static async Task<string> ContainersOfAsync(string image)
    {
        var (code, text) = await HostTool.DockerAsync("ps", "--all", "--quiet", "--filter", "ancestor=" + image);
        Assert.True(code == 0, text);
        return text.Trim();
    }

    /// <summary>
    /// The class's images, built once from the docker tests' Debian image with unique tags: a python image (python3 as
    /// <c>python</c>, and stubs of pip and bundle that Travis's setups call) and a redis image whose command runs
    /// redis-server listening on every address. Removed by tag when the class is done.
    /// </summary>
    public sealed class ServiceImages : IAsyncLifetime
    {
        private readonly TempFolder _build = new();
        private readonly string _repository = "porthole-test/travis-services-" + Guid.NewGuid().ToString("N")[..8];

        public string Python => _repository + ":python";

        public string Redis => _repository + ":redis";

        public async Task InitializeAsync()
        {
            try
            {
                await DockerTestImages.EnsureAsync();
                await BuildAsync("python", $"""
                    FROM {DockerTestImages.Debian}
                    RUN apt-get update && apt-get install -y --no-install-recommends redis-server python3 && rm -rf /var/lib/apt/lists/*
                    RUN ln -s /usr/bin/python3 /usr/local/bin/python \
                     && printf '#!/bin/sh\necho "pip (test image)"\n' > /usr/local/bin/pip \
                     && printf '#!/bin/sh\necho "bundle (test image)"\n' > /usr/local/bin/bundle \
                     && chmod 755 /usr/local/bin/pip /usr/local/bin/bundle
                    ENV IMAGE_MARK=services-test
                    """, Python);
                await BuildAsync("redis", $"""
                    FROM {Python}
                    CMD ["redis-server", "--bind", "0.0.0.0", "--protected-mode", "no"]
                    """, Redis);
            }
            catch
            {
                // xUnit does not dispose a fixture whose InitializeAsync failed: nothing may be left behind.
                await DisposeAsync();
                throw;
            }
        }

        public async Task DisposeAsync()
        {
            try
            {
                // Each on its own: after a failed build one of them may not exist.
                foreach (var image in new[] { Redis, Python })
                {
                    await HostTool.DockerAsync("rmi", "--force", image);
                }
            }
            finally
            {
                _build.Dispose();
            }
        }

        private async Task BuildAsync(string name, string dockerfile, string tag)
        {
            var folder = Path.Combine(_build.Path, name);
            Directory.CreateDirectory(folder);
            await File.WriteAllTextAsync(Path.Combine(folder, "Dockerfile"), dockerfile + "\n");
            var (code, text) = await HostTool.DockerAsync("build", "--quiet", "--tag", tag, folder);
            Assert.True(code == 0, $"docker build of {tag}: {text}");
        }
    }
}
