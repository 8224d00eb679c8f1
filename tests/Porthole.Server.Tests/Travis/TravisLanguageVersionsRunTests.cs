using System.Net.Http.Json;
using Porthole.Contracts.Api;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.Travis;

/// <summary>
/// A Travis job that names its runtime's version runs in that version's image (issue 13; §B8, §B9): <c>node_js</c> with two
/// versions is two jobs, each in its own <c>node:</c> image, installing and testing with the language's defaults
/// (<c>npm ci</c> for a locked project with npm ≥ 5.8, then <c>npm test</c>). Nothing can be pulled here, so the test
/// builds the two images itself (from the docker tests' Debian image, with a node and an npm that say which image they
/// are in) and removes them afterwards.
/// </summary>
public sealed class TravisLanguageVersionsRunTests : IAsyncLifetime
{
    private readonly TempFolder _data = new();
    private readonly TempFolder _keys = new();
    private readonly TempFolder _build = new();
    private readonly string _version = "porthole-" + Guid.NewGuid().ToString("N")[..8];

    private string VersionA => _version + "-a";

    private string VersionB => _version + "-b";

    public async Task InitializeAsync()
    {
        try
        {
            await BuildImagesAsync();
        }
        catch
        {
            // xUnit does not dispose a class whose InitializeAsync failed: nothing may be left behind.
            await DisposeAsync();
            throw;
        }
    }

    private async Task BuildImagesAsync()
    {
        await DockerTestImages.EnsureAsync();
        foreach (var (version, mark) in new[] { (VersionA, "a"), (VersionB, "b") })
        {
            var folder = Path.Combine(_build.Path, mark);
            Directory.CreateDirectory(folder);
            await File.WriteAllTextAsync(Path.Combine(folder, "node"), "#!/bin/sh\necho v18.0.0\n");
            await File.WriteAllTextAsync(Path.Combine(folder, "npm"), """
                #!/bin/sh
                case "$1" in
                  -v|--version) echo 6.14.0 ;;
                  *) echo "npm $* in image $IMAGE_MARK" ;;
                esac
                """ + "\n");
            await File.WriteAllTextAsync(Path.Combine(folder, "Dockerfile"), $"""
                FROM {DockerTestImages.Debian}
                COPY node npm /usr/local/bin/
                RUN chmod 755 /usr/local/bin/node /usr/local/bin/npm
                ENV IMAGE_MARK={mark}
                """ + "\n");
            await HostTool.DockerOrFailAsync("build", "--quiet", "--tag", $"node:{version}", folder);
        }
    }

    public async Task DisposeAsync()
    {
        try
        {
            // Each on its own: after a failed build one of them may not exist.
            foreach (var version in new[] { VersionA, VersionB })
            {
                await HostTool.DockerAsync("rmi", "--force", $"node:{version}");
            }
        }
        finally
        {
            _build.Dispose();
            _keys.Dispose();
            _data.Dispose();
        }
    }

    [Fact]
    public async Task Two_node_versions_are_two_jobs_each_in_its_image_with_the_default_install_and_script()
    {
        using var repository = GitRepository.WithFiles(
            (".travis.yml", $"language: node_js\nnode_js:\n  - {VersionA}\n  - {VersionB}\n"),
            ("package.json", "{\"name\": \"app\", \"scripts\": {\"test\": \"true\"}}\n"),
            ("package-lock.json", "{}\n"));
        await using var server = await RunningServer.StartAsync(_data.Path);
        await server.AddProjectAsync("app", repository.Path);

        var finished = await server.WaitForPipelineAsync((await server.TriggerAsync("app")).Id, seconds: 180);

        var jobs = finished.Workflows.Single().Jobs;
        Assert.Equal(2, jobs.Count);
        Assert.True(finished.Status == Status.Success, string.Join("\n", await Task.WhenAll(jobs.Select(j => server.LogAsync(j.Id)))));
        foreach (var (job, mark, version) in new[] { (jobs[0], "a", VersionA), (jobs[1], "b", VersionB) })
        {
            var log = await server.LogAsync(job.Id);
            Assert.Contains($"npm ci in image {mark}", log, StringComparison.Ordinal);
            Assert.Contains($"npm test in image {mark}", log, StringComparison.Ordinal);
            Assert.Contains($"node:{version}", log, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// Debug mode on a matrix job (§B0, issue 13): the second job stops before its first phase, and its
    /// <c>travis_run_script</c> runs the default script in that job's own image, in the shared session.
    /// </summary>
    [Fact]
    public async Task Debug_mode_on_the_second_matrix_job_runs_its_phases_in_that_jobs_container()
    {
        using var repository = GitRepository.WithFiles(
            (".travis.yml", $"language: node_js\nnode_js:\n  - {VersionA}\n  - {VersionB}\n"),
            ("package.json", "{\"name\": \"app\", \"scripts\": {\"test\": \"true\"}}\n"),
            ("package-lock.json", "{}\n"));
        await using var server = await RunningServer.StartAsync(_data.Path);
        await server.AddProjectAsync("app", repository.Path);
        var key = SshKeyFile.Generate(_keys.Path, "mine");
        await server.Client.AddKeyAsync(key);
        var finished = await server.WaitForPipelineAsync((await server.TriggerAsync("app")).Id, seconds: 180);
        var second = finished.Workflows.Single().Jobs[1];

        await Expect.StatusAsync(await server.Client.PostAsJsonAsync($"/api/jobs/{second.Id}/debug", new DebugJobRequest(false), ApiJson.Options), 202);
        var view = await server.WaitForSshViewAsync(second.Id, v => v.Debug && v.Nodes is [{ Port: not null }, ..]);
        var ssh = new SshClient(_keys.Path);
        ssh.Pin(view.Nodes[0].Host!, view.Nodes[0].Port!.Value, view.Nodes[0].HostKey!);
        using var terminal = InteractiveSsh.Start(ssh, view.Nodes[0], key);
        await terminal.TypeAsync("travis_run_install; travis_run_script; test -e /.dockerenv && echo \"window-in-image-$IMAGE_MARK-$((6*7))\"\r");

        var log = await server.WaitForLogAsync(second.Id, "window-in-image-b-42");
        Assert.Contains("travis_run_script exited with 0", log, StringComparison.Ordinal);
        Assert.Contains("npm ci in image b", log, StringComparison.Ordinal);
        Assert.Contains("npm test in image b", log, StringComparison.Ordinal);
        Assert.DoesNotContain("in image a", log, StringComparison.Ordinal);

        await terminal.TypeAsync("exit\r");
        var job = await server.WaitForJobAsync(second.Id, j => Status.IsFinished(j.Attempts[^1].Status), seconds: 30);
        Assert.Equal("The debug session ended: the last window was exited.", job.Attempts[^1].Nodes[0].Message);
    }
}
