using System.Globalization;
using System.Net.Http.Json;
using Porthole.Contracts.Api;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests;

/// <summary>
/// Issue 9, item 1, tried as an attacker would against the embedded server run as root (as the README says): a job, and
/// an SSH session into it, must reach nothing of the server's data folder nor of another node, must not be root, and
/// must leave nothing running. These tests need root (the CI machine and the README's set-up are root).
/// </summary>
public sealed class IsolationTests : IAsyncLifetime
{
    private readonly TempFolder _data = new();
    private readonly TempFolder _keys = new();
    private readonly string _marker = "porthole-leak-" + Guid.NewGuid().ToString("N")[..12];
    private readonly List<GitRepository> _repositories = [];
    private RunningServer _server = null!;

    public async Task InitializeAsync() => _server = await RunningServer.StartAsync(_data.Path);

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        foreach (var repository in _repositories)
        {
            repository.Dispose();
        }

        _keys.Dispose();
        _data.Dispose();
    }

    [Fact]
    public async Task A_job_is_not_root_and_reaches_nothing_of_the_data_folder_nor_of_another_project()
    {
        Assert.True(Environment.IsPrivilegedProcess, "these tests need root, as the README's set-up runs the server");
        var data = _data.Path;

        // Another project, with a secret, whose job keeps a file in its workspace while the attacker's job runs.
        await AddProjectAsync("victim", $$"""
            version: 2
            jobs:
              build:
                steps:
                  - run: echo victim-workspace-file > precious.txt; sleep 8
            """);
        await Expect.StatusAsync(await _server.Client.PutAsJsonAsync("/api/projects/victim/env/VICTIM_SECRET", new { value = "victim-secret-9d1f", secret = true }), 200);
        var victim = await _server.TriggerAsync("victim");
        var victimJob = victim.Workflows[0].Jobs[0].Id;
        await _server.WaitForLogAsync(victimJob, "==> ");

        var adminToken = (await File.ReadAllTextAsync(Path.Combine(data, "admin-token"))).Trim();
        await AddProjectAsync("attacker", $$"""
            version: 2
            jobs:
              build:
                steps:
                  - run: |
                      set +e
                      echo "uid=$(id -u) user=$(id -un)"
                      for f in '{{data}}/admin-token' '{{data}}/porthole.db' '{{data}}/porthole.db-wal'; do
                        if head -c 200 "$f" >/dev/null 2>&1; then echo "READ $f"; else echo "DENIED $f"; fi
                      done
                      ls -R '{{data}}/repos' '{{data}}/logs' '{{data}}/spool' '{{data}}/web-terminal' '{{data}}/ssh' 2>&1 | head -20
                      cat '{{data}}'/workspaces/*/home/project/precious.txt 2>&1 | head -3
                      prefix=victim-secret-
                      grep -r "${prefix}9d1f" '{{data}}' 2>&1 | head -3
                      find / -xdev -name precious.txt 2>/dev/null | head -3
                      if touch '{{data}}/planted' 2>/dev/null; then echo WROTE-DATA; else echo NO-WRITE-DATA; fi
                      echo "processes: $(ps ax | wc -l)"
                  - run: |
                      env -i setsid nohup bash -c 'exec -a {{_marker}}-a sleep 1000' >/dev/null 2>&1 &
                      (unset PORTHOLE_NODE_TAG; setsid bash -c 'exec -a {{_marker}}-b sleep 1000' >/dev/null 2>&1 &)
                      sleep 0.3
                      echo daemons-started
            """);
        var attack = await _server.TriggerAsync("attacker");
        var attackJob = attack.Workflows[0].Jobs[0].Id;
        var pipeline = await _server.WaitForPipelineAsync(attack.Id);
        var log = await _server.LogAsync(attackJob);
        Assert.True(pipeline.Status == Status.Success, log);

        Assert.Matches(@"uid=[1-9][0-9]* user=porthole", log);
        Assert.DoesNotContain("READ ", log, StringComparison.Ordinal);
        Assert.Contains($"DENIED {data}/admin-token", log, StringComparison.Ordinal);
        Assert.DoesNotContain(adminToken, log, StringComparison.Ordinal);
        Assert.DoesNotContain("victim-workspace-file", log, StringComparison.Ordinal);
        Assert.DoesNotContain("victim-secret-9d1f", log, StringComparison.Ordinal);
        Assert.DoesNotContain("SQLite format", log, StringComparison.Ordinal);
        Assert.DoesNotContain(".git", log.Split("DENIED")[^1], StringComparison.Ordinal);
        Assert.Contains("NO-WRITE-DATA", log, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(data, "planted")));
        Assert.Contains("daemons-started", log, StringComparison.Ordinal);

        // Nothing of the node survives its end: not a daemon with a cleared environment, nor one without the tag.
        for (var i = 0; i < 20 && ProcessTitles.Find(_marker).Count > 0; i++)
        {
            await Task.Delay(50);
        }

        Assert.Empty(ProcessTitles.Find(_marker));
        await _server.WaitForPipelineAsync(victim.Id);
    }

    [Fact]
    public async Task The_data_folder_and_database_are_for_the_server_account_only()
    {
        await AddProjectAsync("app", "version: 2\njobs:\n  build:\n    steps:\n      - run: echo ok\n");
        await _server.WaitForPipelineAsync((await _server.TriggerAsync("app")).Id);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_data.Path));
        foreach (var file in new[] { "porthole.db", "porthole.db-wal", "porthole.db-shm", "admin-token" }.Select(f => Path.Combine(_data.Path, f)).Where(File.Exists))
        {
            Assert.True(File.GetUnixFileMode(file) == (UnixFileMode.UserRead | UnixFileMode.UserWrite), $"{file}: {File.GetUnixFileMode(file)}");
        }
    }

    [Fact]
    public async Task An_ssh_session_runs_as_the_job_account_in_the_nodes_sandbox()
    {
        await AddProjectAsync("app", """
            version: 2
            jobs:
              build:
                steps:
                  - run: echo from-the-step > left.txt
            """);
        var pipeline = await _server.TriggerAsync("app");
        var jobId = pipeline.Workflows[0].Jobs[0].Id;
        await _server.WaitForPipelineAsync(pipeline.Id);
        var key = SshKeyFile.Generate(_keys.Path, "mine");
        await _server.Client.AddKeyAsync(key);
        await Expect.StatusAsync(await _server.Client.PostAsJsonAsync($"/api/jobs/{jobId}/rerun", new RerunRequest(null, true), ApiJson.Options), 202);
        var node = (await _server.WaitForSshViewAsync(jobId, v => v.Nodes.Count == 1 && v.Nodes[0].Port is not null)).Nodes[0];
        Assert.Equal("porthole", node.User);
        var ssh = new SshClient(_keys.Path);
        ssh.Pin(node.Host!, node.Port!.Value, node.HostKey!);

        var result = await ssh.SshAsync(key, node.User!, node.Host!, node.Port.Value,
            $"id -u; cat left.txt; cat /etc/shadow >/dev/null 2>&1 && echo SHADOW; cat '{_data.Path}/admin-token' 2>&1; ls '{_data.Path}'; sudo -n true 2>/dev/null && echo SUDO; ps -eo user= | sort -u | tr '\\n' ' '");
        Assert.True(result.ExitCode == 0, result.Error);
        var lines = result.Output.Split('\n');
        Assert.NotEqual("0", lines[0]);
        Assert.True(int.Parse(lines[0], CultureInfo.InvariantCulture) > 0);
        Assert.Equal("from-the-step", lines[1]);
        Assert.DoesNotContain("SHADOW", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("SUDO", result.Output, StringComparison.Ordinal);
        Assert.Contains("No such file or directory", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("porthole.db", result.Output, StringComparison.Ordinal);
        await Expect.StatusAsync(await _server.Client.PostAsync($"/api/jobs/{jobId}/cancel", null), 202);
    }

    private async Task AddProjectAsync(string name, string config)
    {
        var repository = GitRepository.WithFiles((".circleci/config.yml", config));
        _repositories.Add(repository);
        await _server.AddProjectAsync(name, repository.Path);
    }
}
