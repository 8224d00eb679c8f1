using System.Net.Http.Json;
using Porthole.Contracts.Api;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.JobData;

/// <summary>
/// The same typed steps on the docker executor (locally built images; nothing can be pulled here): a cache saved in a
/// Debian container is restored in a busybox one (the archive's paths are the home's, whoever's home it is), a workspace
/// crosses from a container to a shell node, artifacts come out of a container, and CircleCI's environment CLI
/// (<c>circleci tests split</c>, <c>circleci-agent step halt</c>) is on the PATH of both (§A5, §A7).
/// </summary>
public sealed class JobDataDockerTests : IAsyncLifetime
{
    private static readonly string Workflow = $$$"""
        version: 2.1
        jobs:
          build:
            docker:
              - image: {{{DockerTestImages.Debian}}}
            steps:
              - run: |
                  mkdir -p ~/deps out
                  echo "from-debian" > ~/deps/id
                  echo "layer" > out/l.txt
                  printf 'a_test.go\nb_test.go\nc_test.go\nd_test.go\n' > tests.txt
                  circleci tests split --split-by=name tests.txt | tr '\n' ' ' | sed 's/^/split: /'; echo
                  echo 'export VIA_BASH_ENV=yes' >> "$BASH_ENV"
              - run: echo "bash_env=$VIA_BASH_ENV"
              - save_cache:
                  key: docker-{{ .Revision }}
                  paths: [~/deps]
              - persist_to_workspace:
                  root: .
                  paths: [out]
              - store_artifacts:
                  path: out/l.txt
                  destination: from-container/l.txt
          restore-in-busybox:
            docker:
              - image: {{{DockerTestImages.Busybox}}}
            steps:
              - restore_cache:
                  key: docker-{{ .Revision }}
              - run: cat ~/deps/id
              - attach_workspace:
                  at: /tmp/ws
              - run: cat /tmp/ws/out/l.txt
              - run: |
                  echo before-halt
                  circleci-agent step halt
              - run: echo after-halt-must-not-run
          attach-on-shell:
            steps:
              - attach_workspace:
                  at: ~/ws
              - run: cat ~/ws/out/l.txt
        workflows:
          main:
            jobs:
              - build
              - restore-in-busybox:
                  requires: [build]
              - attach-on-shell:
                  requires: [build]
        """;

    private readonly TempFolder _data = new();
    private GitRepository _repository = null!;
    private RunningServer _server = null!;

    public async Task InitializeAsync()
    {
        await DockerTestImages.EnsureAsync();
        _repository = GitRepository.WithFiles((".circleci/config.yml", Workflow));
        _server = await RunningServer.StartAsync(_data.Path);
        await _server.AddProjectAsync("app", _repository.Path);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _repository.Dispose();
        _data.Dispose();
    }

    [Fact]
    public async Task Caches_workspaces_and_artifacts_cross_containers_and_executors()
    {
        var triggered = await _server.TriggerAsync("app", "main");
        var pipeline = await _server.WaitForPipelineAsync(triggered.Id, seconds: 240);
        var jobs = pipeline.Workflows.Single().Jobs.ToDictionary(j => j.Name);
        var build = await _server.LogAsync(jobs["build"].Id);
        Assert.True(jobs["build"].Status == Status.Success, build);
        Assert.Contains("split: a_test.go b_test.go c_test.go d_test.go", build);
        Assert.Contains("bash_env=yes", build);

        var busybox = await _server.LogAsync(jobs["restore-in-busybox"].Id);
        Assert.True(jobs["restore-in-busybox"].Status == Status.Success, busybox);
        Assert.Contains("from-debian", busybox);
        Assert.Contains("layer", busybox);
        Assert.Contains("before-halt", busybox);
        Assert.DoesNotContain("after-halt-must-not-run\n", busybox);
        var steps = (await _server.JobAsync(jobs["restore-in-busybox"].Id)).Attempts.Single().Nodes.Single().Steps;
        Assert.Equal("skipped", steps[^1].Status);

        var shell = await _server.LogAsync(jobs["attach-on-shell"].Id);
        Assert.True(jobs["attach-on-shell"].Status == Status.Success, shell);
        Assert.Contains("layer", shell);

        var artifacts = await _server.Client.GetFromJsonAsync<ArtifactList>($"/api/jobs/{jobs["build"].Id}/artifacts", ApiJson.Options);
        var artifact = Assert.Single(artifacts!.Items);
        Assert.Equal("from-container/l.txt", artifact.Path);
        Assert.Equal("layer\n", await _server.Client.GetStringAsync(artifact.Url));
    }
}
