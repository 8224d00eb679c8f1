using System.Diagnostics;

namespace Porthole.Server.Tests.Support;

public sealed record SshResult(int ExitCode, string Output, string Error);

/// <summary>The real ssh, scp and sftp clients against a node's endpoint, with the host key pinned (never trust on first use).</summary>
public sealed class SshClient(string knownHostsFolder)
{
    public string KnownHosts { get; } = Path.Combine(knownHostsFolder, "known_hosts");

    public void Pin(string host, int port, string hostKey) =>
        File.AppendAllText(KnownHosts, $"[{host}]:{port} {hostKey}\n");

    public Task<SshResult> SshAsync(SshKeyFile key, string user, string host, int port, params string[] command) =>
        RunAsync("ssh", [.. Options(key, port, "-p"), $"{user}@{host}", "--", .. command]);

    /// <summary>ssh with more client options (<c>-o SetEnv=…</c>, say) before the destination.</summary>
    public Task<SshResult> SshWithAsync(SshKeyFile key, string user, string host, int port, IReadOnlyList<string> options, params string[] command) =>
        RunAsync("ssh", [.. Options(key, port, "-p"), .. options, $"{user}@{host}", "--", .. command]);

    /// <summary><c>ssh -W TARGET</c>: a local forward's channel, its stdin and stdout the forwarded connection's.</summary>
    public Task<SshResult> ForwardAsync(SshKeyFile key, string user, string host, int port, string target, string? input = null) =>
        RunAsync("ssh", [.. Options(key, port, "-p"), "-W", target, $"{user}@{host}"], input);

    public Task<SshResult> ScpFromAsync(SshKeyFile key, string user, string host, int port, string remote, string local) =>
        RunAsync("scp", [.. Options(key, port, "-P"), $"{user}@{host}:{remote}", local]);

    public Task<SshResult> SftpGetAsync(SshKeyFile key, string user, string host, int port, string remote, string local) =>
        RunAsync("sftp", [.. Options(key, port, "-P"), "-b", "-", $"{user}@{host}"], $"get {remote} {local}\n");

    /// <summary>The real ssh with a config file and nothing else (<c>ssh -F FILE …</c>): what a user's ~/.ssh/config would do.</summary>
    public static Task<SshResult> WithConfigAsync(string configFile, params string[] arguments) =>
        RunAsync("ssh", ["-F", configFile, .. arguments]);

    public Process StartInteractive(SshKeyFile key, string user, string host, int port, params string[] command)
    {
        var start = new ProcessStartInfo("ssh") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])[.. Options(key, port, "-p"), $"{user}@{host}", "--", .. command])
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start)!;
    }

    private string[] Options(SshKeyFile key, int port, string portFlag) =>
    [
        portFlag, port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "-i", key.PrivateKeyPath,
        "-o", "IdentitiesOnly=yes",
        "-o", "BatchMode=yes",
        "-o", "StrictHostKeyChecking=yes",
        "-o", $"UserKnownHostsFile={KnownHosts}",
        "-o", "ConnectTimeout=10",
    ];

    private static async Task<SshResult> RunAsync(string program, string[] arguments, string? input = null)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
        }

        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new SshResult(process.ExitCode, await output, await error);
    }
}
