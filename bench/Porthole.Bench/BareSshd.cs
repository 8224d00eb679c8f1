using System.Diagnostics;
using System.Net.Sockets;

namespace Porthole.Bench;

/// <summary>
/// A plain sshd already running, with the key in a plain authorized_keys: the floor any SSH endpoint stands on,
/// measured beside ours in the same run.
/// </summary>
public sealed class BareSshd : IAsyncDisposable
{
    private readonly Process _process;

    private BareSshd(Process process, int port, string hostKeyLine)
    {
        _process = process;
        Port = port;
        HostKeyLine = hostKeyLine;
    }

    public int Port { get; }

    public string HostKeyLine { get; }

    public static async Task<BareSshd> StartAsync(string folder, string publicLine)
    {
        var hostKey = Path.Combine(folder, "bare_host_key");
        SshTools.Run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", hostKey]);
        var authorized = Path.Combine(folder, "bare_authorized_keys");
        await File.WriteAllTextAsync(authorized, publicLine + "\n");
        var port = SshTools.FreePort();
        var config = Path.Combine(folder, "bare_sshd_config");
        await File.WriteAllTextAsync(config, $"""
            ListenAddress 127.0.0.1
            Port {port}
            HostKey {hostKey}
            AuthorizedKeysFile {authorized}
            StrictModes no
            UsePAM no
            PidFile none
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            PermitRootLogin prohibit-password
            SetEnv HOME={folder}
            """);
        var process = Process.Start(new ProcessStartInfo("/usr/sbin/sshd") { ArgumentList = { "-D", "-e", "-f", config }, RedirectStandardError = true })!;
        _ = process.StandardError.ReadToEndAsync();
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                break;
            }
            catch (SocketException)
            {
                await Task.Delay(20);
            }
        }

        return new BareSshd(process, port, (await File.ReadAllTextAsync(hostKey + ".pub")).Trim());
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
