using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Porthole.Contracts.Api;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests;

/// <summary>
/// IDE-complete SSH end to end (R-BEY-5): the project's <c>ssh_port_forwarding</c> through the API and the CLI, carried to
/// the node by the lease and by heartbeats, and <c>porthole ssh JOB --config</c>'s Host block used by the real ssh alone.
/// </summary>
public sealed class SshIdeTests : IAsyncLifetime
{
    private const string Config = """
        version: 2
        jobs:
          build:
            steps:
              - run: echo "failing on purpose"; exit 1
        """;

    private readonly TempFolder _data = new();
    private readonly TempFolder _home = new();
    private GitRepository _repository = null!;
    private RunningServer _server = null!;
    private SshKeyFile _mine = null!;
    private long _jobId;

    public async Task InitializeAsync()
    {
        _repository = GitRepository.WithFiles((".circleci/config.yml", Config));
        _server = await RunningServer.StartAsync(_data.Path);
        await _server.AddProjectAsync("app", _repository.Path);
        var dotSsh = Directory.CreateDirectory(Path.Combine(_home.Path, ".ssh")).FullName;
        _mine = SshKeyFile.Generate(dotSsh, "id_ed25519");
        await _server.Client.AddKeyAsync(_mine);
        var pipeline = await _server.TriggerAsync("app");
        _jobId = pipeline.Workflows[0].Jobs[0].Id;
        await _server.WaitForPipelineAsync(pipeline.Id);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _repository.Dispose();
        _home.Dispose();
        _data.Dispose();
    }

    [Fact]
    public async Task The_setting_is_off_by_default_changed_by_admins_and_a_non_boolean_is_a_clear_error()
    {
        Assert.False((await _server.Client.GetFromJsonAsync<ProjectView>("/api/projects/app", ApiJson.Options))!.SshPortForwarding);

        using var wrong = new StringContent("""{"ssh_port_forwarding": "yes"}""", System.Text.Encoding.UTF8, "application/json");
        var bad = await _server.Client.PutAsync("/api/projects/app/settings", wrong);
        Assert.Equal(400, (int)bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);

        var token = await _server.CreateUserAsync("writer");
        await Expect.StatusAsync(await _server.Client.PutAsJsonAsync("/api/projects/app/members/writer", new { role = "write" }, ApiJson.Options), 204);
        using (var writer = _server.ClientFor(token))
        {
            var refused = await writer.PutAsJsonAsync("/api/projects/app/settings", new ProjectSettingsRequest(null, null) { SshPortForwarding = true }, ApiJson.Options);
            await Expect.ProblemAsync(refused, 403, ErrorCodes.Forbidden);
        }

        var cli = await CliAsync("project", "settings", "app", "--ssh-port-forwarding", "true");
        Assert.True(cli.Code == 0, cli.Err);
        Assert.Contains("ssh_port_forwarding true", cli.Out, StringComparison.Ordinal);
        var json = await _server.Client.GetStringAsync("/api/projects/app");
        Assert.Contains("\"ssh_port_forwarding\":true", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Porthole_ssh_config_is_a_host_block_the_real_ssh_uses_alone_and_forwards_follow_the_setting()
    {
        await Expect.StatusAsync(
            await _server.Client.PutAsJsonAsync("/api/projects/app/settings", new ProjectSettingsRequest(null, null) { SshPortForwarding = true }, ApiJson.Options), 200);
        var rerun = await CliAsync("rerun", $"{_jobId}", "--ssh");
        Assert.True(rerun.Code == 0, rerun.Err);

        var printed = await CliAsync("ssh", $"{_jobId}", "--node", "0", "--config");
        Assert.True(printed.Code == 0, printed.Err);
        var alias = $"porthole-{_jobId}-0";
        Assert.StartsWith($"Host {alias}\n", printed.Out, StringComparison.Ordinal);
        Assert.Contains($"  HostKeyAlias {alias}\n", printed.Out, StringComparison.Ordinal);
        Assert.Contains("  StrictHostKeyChecking yes\n", printed.Out, StringComparison.Ordinal);
        Assert.Contains($"  IdentityFile {_mine.PrivateKeyPath}\n", printed.Out, StringComparison.Ordinal);
        Assert.Contains("  IdentitiesOnly yes\n", printed.Out, StringComparison.Ordinal);
        Assert.Contains($"vscode://vscode-remote/ssh-remote+{alias}/", printed.Err, StringComparison.Ordinal);
        var view = await _server.Client.GetFromJsonAsyncOrFail<JobSshView>($"/api/jobs/{_jobId}/ssh");
        Assert.EndsWith("/project", view.Nodes[0].WorkingDirectory, StringComparison.Ordinal);
        Assert.Equal($"vscode://vscode-remote/ssh-remote+{alias}{view.Nodes[0].WorkingDirectory}", view.Nodes[0].VsCodeLink);

        // The block, and nothing else: no known_hosts of the user's, no other option. One session holds the node
        // (it ends when its last session closes, R-SSH-8) while the others come and go.
        var configFile = Path.Combine(_home.Path, "ssh_config");
        await File.WriteAllTextAsync(configFile, printed.Out);
        var holder = Process.Start(new ProcessStartInfo("ssh", ["-F", configFile, alias, "echo holding; sleep 300"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        using var holding = new EndedAtDispose(holder);
        Assert.Equal("holding", await holder.StandardOutput.ReadLineAsync());
        var entered = await SshClient.WithConfigAsync(configFile, alias, "pwd");
        Assert.True(entered.ExitCode == 0, entered.Error);
        Assert.Equal(view.Nodes[0].WorkingDirectory + "\n", entered.Output);

        // A forward to the node's own loopback gets through (-W opens the same channel as -L); to another host, never.
        using var target = new TcpListener(IPAddress.Loopback, 0);
        target.Start();
        var port = ((IPEndPoint)target.LocalEndpoint).Port;
        var (allowed, _) = await ForwardAsync(configFile, alias, target);
        Assert.True(allowed);
        var elsewhere = await SshClient.WithConfigAsync(configFile, "-W", "10.1.2.3:80", alias);
        Assert.NotEqual(0, elsewhere.ExitCode);
        Assert.Contains("administratively prohibited", elsewhere.Error, StringComparison.Ordinal);

        // Switched off, the node refuses forwards from the next heartbeat on.
        await Expect.StatusAsync(
            await _server.Client.PutAsJsonAsync("/api/projects/app/settings", new ProjectSettingsRequest(null, null) { SshPortForwarding = false }, ApiJson.Options), 200);
        SshResult? refused = null;
        for (var i = 0; i < 50 && refused is null; i++)
        {
            var (through, result) = await ForwardAsync(configFile, alias, target);
            refused = through ? null : result;
            await Task.Delay(through ? 200 : 0);
        }

        Assert.NotNull(refused);
        Assert.Contains("administratively prohibited", refused.Error, StringComparison.Ordinal);

        await Expect.StatusAsync(await _server.Client.PostAsync($"/api/jobs/{_jobId}/cancel", null), 202);
        await _server.WaitForJobAsync(_jobId, j => Status.IsFinished(j.Attempts[^1].Status), seconds: 30);
        using var closed = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await holder.WaitForExitAsync(closed.Token);
    }

    /// <summary><c>ssh -W</c> to <paramref name="target"/> through the Host block: whether it got through (and was closed by the test).</summary>
    private static async Task<(bool Through, SshResult Result)> ForwardAsync(string configFile, string alias, TcpListener target)
    {
        var port = ((IPEndPoint)target.LocalEndpoint).Port;
        var forward = SshClient.WithConfigAsync(configFile, "-W", $"127.0.0.1:{port}", alias);
        var through = false;
        while (!forward.IsCompleted)
        {
            if (target.Pending())
            {
                // Closing it ends the forward: ssh -W then exits.
                target.AcceptTcpClient().Dispose();
                through = true;
            }

            await Task.Delay(20);
        }

        var result = await forward;
        return (through && result.ExitCode == 0, result);
    }

    private async Task<(int Code, string Out, string Err)> CliAsync(params string[] args)
    {
        var environment = new Dictionary<string, string>
        {
            ["HOME"] = _home.Path,
            ["PORTHOLE_CONFIG"] = Path.Combine(_home.Path, "config.json"),
            ["PORTHOLE_SERVER"] = _server.Address.ToString(),
            ["PORTHOLE_TOKEN"] = File.ReadAllText(Path.Combine(_data.Path, "admin-token")).Trim(),
        };
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await Cli.Cli.RunAsync(args, Cli.CliContext.Create(output, error, environment), new Cli.Ssh.InheritedStdioLauncher(), CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>Ends a program the test started, by its pid, if the test ends before it.</summary>
    private sealed class EndedAtDispose(Process process) : IDisposable
    {
        public void Dispose()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            process.Dispose();
        }
    }
}
