using System.Diagnostics;
using System.Globalization;
using System.Text;
using Porthole.Contracts.Api;

namespace Porthole.Server.Tests.Support;

/// <summary>A real <c>ssh -tt</c> into a node, as a user at a terminal: what it shows is kept, what is typed goes in.</summary>
public sealed class InteractiveSsh : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Lock _gate = new();

    private InteractiveSsh(Process process)
    {
        _process = process;
        _ = PumpAsync(process.StandardOutput);
        _ = PumpAsync(process.StandardError);
    }

    public string Output
    {
        get
        {
            lock (_gate)
            {
                return _output.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public static InteractiveSsh Start(SshClient ssh, SshNodeView node, SshKeyFile key)
    {
        var start = new ProcessStartInfo("ssh") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["-tt", "-F", "/dev/null", "-p", node.Port!.Value.ToString(CultureInfo.InvariantCulture), "-i", key.PrivateKeyPath,
                     "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o", $"UserKnownHostsFile={ssh.KnownHosts}",
                     $"{node.User}@{node.Host}"])
        {
            start.ArgumentList.Add(argument);
        }

        return new InteractiveSsh(Process.Start(start)!);
    }

    public async Task TypeAsync(string text)
    {
        await _process.StandardInput.WriteAsync(text);
        await _process.StandardInput.FlushAsync();
    }

    public async Task<string> WaitForAsync(string text, int seconds = 20)
    {
        var deadline = TimeProvider.System.GetUtcNow().AddSeconds(seconds);
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (TimeProvider.System.GetUtcNow() > deadline)
            {
                throw new TimeoutException($"'{text}' never showed in the ssh client (exited: {_process.HasExited}):\n{Output}");
            }

            await Task.Delay(50);
        }

        return Output;
    }

    /// <summary>Waits for the client to exit; its exit code.</summary>
    public async Task<int> WaitForExitAsync(int seconds = 20)
    {
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(seconds));
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    private async Task PumpAsync(StreamReader reader)
    {
        var buffer = new char[4096];
        int count;
        while ((count = await reader.ReadAsync(buffer)) > 0)
        {
            lock (_gate)
            {
                _output.Append(buffer, 0, count);
            }
        }
    }
}
