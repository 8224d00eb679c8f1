using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Porthole.Contracts.Api;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.Travis;

/// <summary>
/// <c>addons.apt</c> on real runs (issue 13, dialects.md §B12): the packages are installed by apt-get as root in the job's
/// container before before_install, while the phases run as the image's user; a package apt cannot install stops the job
/// before before_install (Travis's errored). Without any network: the test builds a tiny .deb with dpkg-deb, commits a
/// flat repository of it into the project, and the config names that repository in the checkout as a trusted
/// <c>file:</c> source. The image is the docker tests' Debian one with its own sources removed and a non-root user
/// (circleci, uid 3434), built with a unique tag and removed afterwards.
/// </summary>
public sealed class TravisAptRunTests : IAsyncLifetime
{
    private const string Word = "hello-from-porthole-hello";

    private readonly TempFolder _data = new();
    private readonly TempFolder _keys = new();
    private readonly TempFolder _build = new();
    private readonly string _version = "porthole-apt-" + Guid.NewGuid().ToString("N")[..8];

    public async Task InitializeAsync()
    {
        try
        {
            await DockerTestImages.EnsureAsync();
            await File.WriteAllTextAsync(Path.Combine(_build.Path, "node"), "#!/bin/sh\necho v18.0.0\n");
            await File.WriteAllTextAsync(Path.Combine(_build.Path, "npm"), "#!/bin/sh\necho 6.14.0\n");
            await File.WriteAllTextAsync(Path.Combine(_build.Path, "Dockerfile"), $"""
                FROM {DockerTestImages.Debian}
                COPY node npm /usr/local/bin/
                RUN chmod 755 /usr/local/bin/node /usr/local/bin/npm && rm -f /etc/apt/sources.list && rm -rf /etc/apt/sources.list.d/*
                USER circleci
                """ + "\n");
            await HostTool.DockerOrFailAsync("build", "--quiet", "--tag", $"node:{_version}", _build.Path);
        }
        catch
        {
            // xUnit does not dispose a class whose InitializeAsync failed: nothing may be left behind.
            await DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        try
        {
            await HostTool.DockerAsync("rmi", "--force", $"node:{_version}");
        }
        finally
        {
            _build.Dispose();
            _keys.Dispose();
            _data.Dispose();
        }
    }

    [Fact]
    public async Task A_package_from_a_source_is_installed_as_root_and_the_phases_run_as_the_images_user()
    {
        using var repository = await ProjectAsync("porthole-hello");
        await using var server = await RunningServer.StartAsync(_data.Path);
        await server.AddProjectAsync("app", repository.Path);

        var finished = await server.WaitForPipelineAsync((await server.TriggerAsync("app")).Id, seconds: 180);

        var job = finished.Workflows.Single().Jobs.Single();
        var log = await server.LogAsync(job.Id);
        Assert.True(job.Status == Status.Success, log);
        Assert.Contains("Installing apt packages as root (uid 0)", log, StringComparison.Ordinal);
        Assert.Contains("porthole-hello postinst uid 0", log, StringComparison.Ordinal);
        Assert.Contains(Word, log, StringComparison.Ordinal);
        Assert.Contains("before_install uid 3434", log, StringComparison.Ordinal);
        Assert.Contains("script uid 3434", log, StringComparison.Ordinal);
        Assert.True(
            log.IndexOf("postinst uid 0", StringComparison.Ordinal) < log.IndexOf("before_install uid", StringComparison.Ordinal),
            "the packages are installed before before_install:\n" + log);
    }

    /// <summary>
    /// Debug mode: the window's shell is the container's user, so the apt step that a window asks for is run as root by
    /// the runner, and the phases after it see the package (issue 13).
    /// </summary>
    [Fact]
    public async Task In_a_debug_session_the_apt_step_a_window_asks_for_runs_as_root_and_the_window_stays_the_images_user()
    {
        using var repository = await ProjectAsync("porthole-hello");
        await using var server = await RunningServer.StartAsync(_data.Path);
        await server.AddProjectAsync("app", repository.Path);
        var key = SshKeyFile.Generate(_keys.Path, "mine");
        await server.Client.AddKeyAsync(key);
        var job = (await server.WaitForPipelineAsync((await server.TriggerAsync("app")).Id, seconds: 180)).Workflows.Single().Jobs.Single();

        await Expect.StatusAsync(await server.Client.PostAsJsonAsync($"/api/jobs/{job.Id}/debug", new DebugJobRequest(false), ApiJson.Options), 202);
        var view = await server.WaitForSshViewAsync(job.Id, v => v.Debug && v.Nodes is [{ Port: not null }, ..]);
        var ssh = new SshClient(_keys.Path);
        ssh.Pin(view.Nodes[0].Host!, view.Nodes[0].Port!.Value, view.Nodes[0].HostKey!);
        using var terminal = InteractiveSsh.Start(ssh, view.Nodes[0], key);
        await terminal.TypeAsync("porthole_run_step 0 && porthole_run_apt && travis_run_script; echo \"window-uid-$(id -u)\"\r");

        var log = await server.WaitForLogAsync(job.Id, "window-uid-3434");
        Assert.Contains("porthole_run_apt exited with 0", log, StringComparison.Ordinal);
        Assert.Contains("porthole-hello postinst uid 0", log, StringComparison.Ordinal);
        Assert.Contains("travis_run_script exited with 0", log, StringComparison.Ordinal);
        Assert.Contains(Word, log, StringComparison.Ordinal);

        await terminal.TypeAsync("exit\r");
        await server.WaitForJobAsync(job.Id, j => Status.IsFinished(j.Attempts[^1].Status), seconds: 30);
    }

    [Fact]
    public async Task A_package_apt_cannot_find_stops_the_job_before_before_install_as_errored()
    {
        using var repository = await ProjectAsync("porthole-no-such-package");
        await using var server = await RunningServer.StartAsync(_data.Path);
        await server.AddProjectAsync("app", repository.Path);

        var finished = await server.WaitForPipelineAsync((await server.TriggerAsync("app")).Id, seconds: 180);

        var job = finished.Workflows.Single().Jobs.Single();
        var log = await server.LogAsync(job.Id);
        Assert.True(job.Status == Status.Failed, log);
        Assert.Contains("porthole-no-such-package", log, StringComparison.Ordinal);
        Assert.Contains("apt-get install failed", log, StringComparison.Ordinal);
        Assert.DoesNotContain("before_install uid", log, StringComparison.Ordinal);
        Assert.DoesNotContain("script uid", log, StringComparison.Ordinal);
        Assert.DoesNotContain(Word, log, StringComparison.Ordinal);

        // Travis's own read of the job: broken before its script phase is errored, not failed.
        var state = JsonDocument.Parse(await server.Client.GetStringAsync($"/v3/job/{job.Id}")).RootElement.GetProperty("state").GetString();
        Assert.Equal("errored", state);
    }

    [Fact]
    public async Task On_a_runner_that_runs_jobs_on_its_own_system_the_apt_step_fails_and_says_why()
    {
        using var repository = GitRepository.WithFiles((".travis.yml", """
            language: minimal
            addons:
              apt: [porthole-hello]
            before_install: echo "before_install uid $(id -u)"
            script: echo "script uid $(id -u)"
            """ + "\n"));
        await using var server = await RunningServer.StartAsync(_data.Path, new Dictionary<string, string?> { ["Runner:Docker:RunOnShell"] = "true" });
        await server.AddProjectAsync("app", repository.Path);

        var finished = await server.WaitForPipelineAsync((await server.TriggerAsync("app")).Id, seconds: 60);

        var job = finished.Workflows.Single().Jobs.Single();
        var log = await server.LogAsync(job.Id);
        Assert.True(job.Status == Status.InfrastructureFail, $"{job.Status}: {log}");
        var message = (await server.JobAsync(job.Id)).Attempts[^1].Nodes[0].Message;
        const string Why = "apt packages need the job's container; this runner runs jobs on its own system";
        Assert.True(message?.Contains(Why, StringComparison.Ordinal) == true, $"{message}\n{log}");
        Assert.Contains(Why, log, StringComparison.Ordinal);
        Assert.DoesNotContain("before_install uid", log, StringComparison.Ordinal);
        Assert.DoesNotContain("script uid", log, StringComparison.Ordinal);
    }

    /// <summary>
    /// A project whose <c>repo/</c> is a flat apt repository of porthole-hello (its postinst says who ran it), and whose
    /// config installs <paramref name="package"/> from it. The checkout is at ~/build/app of the image's user (§B0).
    /// </summary>
    private async Task<GitRepository> ProjectAsync(string package)
    {
        var repository = GitRepository.WithFiles((".travis.yml", $"""
            language: node_js
            node_js: "{_version}"
            addons:
              apt:
                sources:
                  - sourceline: "deb [trusted=yes] file:/home/circleci/build/app/repo ./"
                packages: [{package}]
            install: skip
            before_install: echo "before_install uid $(id -u)"
            script:
              - porthole-hello
              - echo "script uid $(id -u)"
            """ + "\n"));
        try
        {
            var packageFolder = Path.Combine(_build.Path, "package");
            Directory.CreateDirectory(Path.Combine(packageFolder, "DEBIAN"));
            Directory.CreateDirectory(Path.Combine(packageFolder, "usr", "bin"));
            await File.WriteAllTextAsync(Path.Combine(packageFolder, "DEBIAN", "control"), """
                Package: porthole-hello
                Version: 1.0
                Architecture: all
                Maintainer: Porthole tests <tests@localhost>
                Description: prints a word
                """ + "\n");
            await WriteExecutableAsync(Path.Combine(packageFolder, "DEBIAN", "postinst"), "#!/bin/sh\necho \"porthole-hello postinst uid $(id -u)\"\n");
            await WriteExecutableAsync(Path.Combine(packageFolder, "usr", "bin", "porthole-hello"), $"#!/bin/sh\necho {Word}\n");
            var folder = Path.Combine(repository.Path, "repo");
            Directory.CreateDirectory(folder);
            var deb = Path.Combine(folder, "porthole-hello_1.0_all.deb");
            var (code, text) = await HostTool.RunAsync("dpkg-deb", "--root-owner-group", "--build", packageFolder, deb);
            Assert.True(code == 0, "dpkg-deb: " + text);

            // The Packages index of a flat repository: the package's control fields, then where the file is and its digest.
            var bytes = await File.ReadAllBytesAsync(deb);
            var (fieldsCode, fields) = await HostTool.RunAsync("dpkg-deb", "--field", deb);
            Assert.True(fieldsCode == 0, "dpkg-deb --field: " + fields);
            await File.WriteAllTextAsync(Path.Combine(folder, "Packages"),
                fields.TrimEnd('\n') + "\n"
                + "Filename: ./porthole-hello_1.0_all.deb\n"
                + $"Size: {bytes.Length}\n"
                + $"SHA256: {Convert.ToHexStringLower(SHA256.HashData(bytes))}\n\n");
            repository.Commit("a flat apt repository");
            return repository;
        }
        catch
        {
            repository.Dispose();
            throw;
        }
    }

    private static async Task WriteExecutableAsync(string path, string text)
    {
        await File.WriteAllTextAsync(path, text);
        File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
    }
}
