using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Porthole.Bench;

/// <summary>The real ssh-keygen, ssh and sshd for the SSH benchmarks.</summary>
public static class SshTools
{
    public static (string PrivateKey, string PublicLine) MakeKey(string folder, string name)
    {
        var path = Path.Combine(folder, name);
        Run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path]);
        return (path, File.ReadAllText(path + ".pub").Trim());
    }

    public static string[] ClientOptions(string key, string knownHosts, int port) =>
    [
        "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "-i", key, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
        "-o", "StrictHostKeyChecking=yes", "-o", $"UserKnownHostsFile={knownHosts}", "-o", "ConnectTimeout=5",
    ];

    /// <summary>Runs <c>ssh … true</c>; true when it got in.</summary>
    public static async Task<bool> TrueAsync(string key, string knownHosts, string user, string host, int port) =>
        (await RunAsync(key, knownHosts, user, host, port, "true")).ExitCode == 0;

    /// <summary>Runs <c>ssh … COMMAND</c> with no terminal and returns what it printed.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(string key, string knownHosts, string user, string host, int port, string command)
    {
        var start = new ProcessStartInfo("ssh") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in (string[])[.. ClientOptions(key, knownHosts, port), $"{user}@{host}", command])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, error);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static string Run(string program, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} failed: {error}");
        }

        return output;
    }
}
