using System.Diagnostics;

namespace Porthole.Cli.Tests;

/// <summary>An SSH key pair made by the real ssh-keygen: its private file, its public line and its SHA256 fingerprint.</summary>
public sealed record TestKey(string PrivatePath, string PublicLine, string Fingerprint)
{
    public string PublicPath => PrivatePath + ".pub";

    /// <summary>The public key without its comment, as known_hosts holds it.</summary>
    public string KeyOnly => string.Join(' ', PublicLine.Split(' ').Take(2));

    /// <summary>Makes an ed25519 key pair with no passphrase at <paramref name="path"/> and <paramref name="path"/>.pub.</summary>
    public static async Task<TestKey> MakeAsync(string path, string comment = "ada@laptop")
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await RunAsync("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", path);
        var fingerprint = (await RunAsync("ssh-keygen", "-l", "-E", "sha256", "-f", path + ".pub")).Split(' ')[1];
        var line = (await File.ReadAllTextAsync(path + ".pub")).Trim();
        return new TestKey(path, line, fingerprint);
    }

    private static async Task<string> RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', arguments)} failed: {await error}");
        return await output;
    }
}
