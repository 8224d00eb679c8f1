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

    /// <summary>The floor: <paramref name="runs"/> times <c>ssh … true</c> to a bare sshd (after one warm-up), in milliseconds.</summary>
    public static async Task<List<double>> MeasureTrueAsync(string folder, string key, string publicLine, int runs)
    {
        var floor = new List<double>();
        await using var bare = await StartAsync(folder, publicLine);
        var knownHosts = Path.Combine(folder, "bare_known_hosts");
        await File.WriteAllTextAsync(knownHosts, $"[127.0.0.1]:{bare.Port} {bare.HostKeyLine}\n");
        for (var run = 0; run < runs + 1; run++)
        {
            var watch = Stopwatch.StartNew();
            if (!await SshTools.TrueAsync(key, knownHosts, Environment.UserName, "127.0.0.1", bare.Port))
            {
                throw new InvalidOperationException("ssh to the bare sshd failed");
            }

            if (run > 0)
            {
                floor.Add(watch.Elapsed.TotalMilliseconds);
            }
        }

        return floor;
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
