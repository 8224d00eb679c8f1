using Porthole.Contracts.Runners;
using Porthole.Contracts.Ssh;
using Porthole.Ssh.Tests.Support;

namespace Porthole.Ssh.Tests.Endpoints;

/// <summary>What a user does over SSH, with the real sshd and the real ssh client (R-SSH-5, R-SSH-6).</summary>
public sealed class SessionTests : IAsyncLifetime
{
    private SshNode _node = null!;

    public async Task InitializeAsync()
    {
        _node = await SshNode.CreateAsync();
        var enabled = await _node.EnableAsync();
        Assert.True(enabled.State == StepState.Success, _node.EnableText);
    }

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task A_command_runs_in_the_jobs_directory_with_its_environment_and_what_the_steps_left()
    {
        var result = await _node.SshAsync(_node.Alice, "pwd; echo $HOME; echo $CIRCLE_JOB; echo $FROM_STEPS; echo \"$SECRET_TOKEN\"; case :$PATH: in *:/opt/from-steps:*) echo steps-path;; esac");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal("", result.Error);
        Assert.Equal(
            [_node.WorkingDirectory, _node.Node.HomeDirectory, SshNode.JobName, "yes", "it's a \"secret\" $HOME `x`", "steps-path"],
            result.Output.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task A_session_is_reported_with_its_key_user_and_command()
    {
        var result = await _node.SshAsync(_node.Alice, "echo", "audited");
        Assert.True(result.ExitCode == 0, result.Error);

        var accepted = await _node.Sink.WaitForAsync(e => e.Kind == SshEventKind.KeyAccepted, "the accepted key");
        var started = await _node.Sink.WaitForAsync(e => e.Kind == SshEventKind.SessionStarted, "the session start");
        var ended = await _node.Sink.WaitForAsync(e => e.Kind == SshEventKind.SessionEnded, "the session end");
        Assert.Equal((_node.Alice.Fingerprint, "ED25519", "alice", "127.0.0.1"), (accepted.Fingerprint, accepted.KeyType, accepted.UserName, accepted.Address));
        Assert.Equal((accepted.Port, _node.Alice.Fingerprint, "alice", "echo audited"), (started.Port, started.Fingerprint, started.UserName, started.Command));
        Assert.Equal((accepted.Port, "echo audited"), (ended.Port, ended.Command));
        Assert.Equal(0, _node.Endpoint.OpenSessionCount);
        Assert.False(_node.Sink.Overlapped);
    }

    [Fact]
    public async Task An_interactive_session_is_a_login_shell_in_the_jobs_directory_with_its_environment()
    {
        var input = "echo \"hi-$CIRCLE_JOB-$FROM_STEPS\"; shopt -q login_shell && echo is-login; [[ $- == *i* ]] && echo is-interactive; case :$PATH: in *:/opt/from-steps:*) echo steps-path;; esac; pwd; exit\n";
        var result = await _node.Programs.RunAsync("ssh", ["-tt", .. _node.SshArguments(_node.Alice)], input);

        Assert.True(result.ExitCode == 0, result.Error + result.Output);
        // The terminal echoes the input and the prompt; the answers are lines of their own (after bracketed-paste codes).
        var lines = result.Output.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        Assert.Contains(lines, l => l.EndsWith("hi-build-yes", StringComparison.Ordinal));
        Assert.Contains("is-login", lines);
        Assert.Contains("is-interactive", lines);
        Assert.Contains("steps-path", lines);
        Assert.Contains(_node.WorkingDirectory, lines);
    }

    [Fact]
    public async Task An_unregistered_key_is_refused_and_reported_with_its_fingerprint()
    {
        var result = await _node.SshAsync(_node.Stranger, "true");

        Assert.Equal(255, result.ExitCode);
        Assert.Contains("Permission denied (publickey)", result.Error, StringComparison.Ordinal);
        var refused = await _node.Sink.WaitForAsync(e => e.Kind == SshEventKind.KeyRefused, "the refused key");
        Assert.Equal((_node.Stranger.Fingerprint, "ED25519", "127.0.0.1"), (refused.Fingerprint, refused.KeyType, refused.Address));
        Assert.DoesNotContain(_node.Sink.Events, e => e.Kind == SshEventKind.KeyAccepted);
    }

    [Fact]
    public async Task Another_login_name_is_refused_and_reported()
    {
        var arguments = _node.SshArguments(_node.Alice, "true");
        arguments[Array.IndexOf(arguments, $"{_node.Info.User}@{_node.Info.Host}")] = $"porthole-nobody@{_node.Info.Host}";
        var result = await _node.Programs.RunAsync("ssh", arguments);

        Assert.Equal(255, result.ExitCode);
        Assert.Contains("Permission denied (publickey)", result.Error, StringComparison.Ordinal);
        var refused = await _node.Sink.WaitForAsync(e => e.Kind == SshEventKind.KeyRefused, "the refused login");
        Assert.Null(refused.Fingerprint);
    }

    [Fact]
    public async Task Files_come_out_with_scp_sftp_and_rsync()
    {
        var file = Path.Combine(_node.WorkingDirectory, "report.txt");
        await File.WriteAllTextAsync(file, "the report\n");
        var port = _node.Info.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var remote = $"{_node.Info.User}@{_node.Info.Host}";

        var scp = await _node.Programs.RunAsync("scp", ["-F", "/dev/null", "-P", port, .. _node.ClientOptions(_node.Alice), $"{remote}:report.txt", Path.Combine(_node.Evidence, "scp.txt")]);
        var legacyScp = await _node.Programs.RunAsync("scp", ["-O", "-F", "/dev/null", "-P", port, .. _node.ClientOptions(_node.Alice), $"{remote}:report.txt", Path.Combine(_node.Evidence, "scp-O.txt")]);
        var batch = Path.Combine(_node.Evidence, "sftp-batch");
        await File.WriteAllTextAsync(batch, $"get report.txt {Path.Combine(_node.Evidence, "sftp.txt")}\n");
        var sftp = await _node.Programs.RunAsync("sftp", ["-F", "/dev/null", "-P", port, .. _node.ClientOptions(_node.Alice), "-b", batch, remote]);
        var ssh = string.Join(' ', ["ssh", "-F", "/dev/null", "-p", port, .. _node.ClientOptions(_node.Alice)]);
        var rsync = await _node.Programs.RunAsync("rsync", ["-e", ssh, $"{remote}:report.txt", Path.Combine(_node.Evidence, "rsync.txt")]);

        Assert.True(scp.ExitCode == 0, "scp: " + scp.Error);
        Assert.True(legacyScp.ExitCode == 0, "scp -O: " + legacyScp.Error);
        Assert.True(sftp.ExitCode == 0, "sftp: " + sftp.Error);
        Assert.True(rsync.ExitCode == 0, "rsync: " + rsync.Error);
        foreach (var copy in new[] { "scp.txt", "scp-O.txt", "sftp.txt", "rsync.txt" })
        {
            Assert.Equal("the report\n", await File.ReadAllTextAsync(Path.Combine(_node.Evidence, copy)));
        }

        await _node.Sink.WaitForAsync(e => e.Kind == SshEventKind.SessionStarted && e.Command == "internal-sftp", "the sftp session");
        await _node.Sink.WaitForAsync(e => e.Kind == SshEventKind.SessionStarted && e.Command!.StartsWith("rsync --server", StringComparison.Ordinal), "the rsync session");
    }
}
