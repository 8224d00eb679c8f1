using System.Diagnostics;
using Porthole.Contracts.Runners;

namespace Porthole.Execution.Tests.StepHandlers;

/// <summary>A key pair made by the real ssh-keygen, with the fingerprints ssh-keygen itself prints for it (the oracle).</summary>
internal sealed record TestSshKey(string PrivateKey, string PublicLine, string Md5, string Sha256)
{
    public AdditionalSshKey ForNode(string? host = null) => new(Md5, Sha256, host, PrivateKey);

    /// <summary>The file name add_ssh_keys installs it as: id_rsa_ and its MD5 hex.</summary>
    public string FileName => "id_rsa_" + Md5.Replace(":", "", StringComparison.Ordinal);

    public static async Task<TestSshKey> MakeAsync(string folder, string type = "ed25519")
    {
        var path = Path.Combine(folder, $"key-{Guid.NewGuid():N}");
        await RunAsync("ssh-keygen", "-q", "-t", type, "-N", "", "-C", "test@porthole", "-f", path);
        var md5 = (await RunAsync("ssh-keygen", "-l", "-E", "md5", "-f", path)).Split(' ')[1];
        var sha256 = (await RunAsync("ssh-keygen", "-l", "-E", "sha256", "-f", path)).Split(' ')[1];
        Assert.StartsWith("MD5:", md5, StringComparison.Ordinal);
        return new TestSshKey(
            await File.ReadAllTextAsync(path),
            (await File.ReadAllTextAsync(path + ".pub")).Trim(),
            md5["MD5:".Length..],
            sha256);
    }

    public static async Task<string> RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', arguments)}: {await error}");
        return await output;
    }
}
