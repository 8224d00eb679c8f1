using System.Diagnostics;

namespace Porthole.Server.Tests.Support;

/// <summary>A key pair made by the real ssh-keygen in a folder of the test's; its fingerprint as ssh-keygen prints it.</summary>
public sealed record SshKeyFile(string PrivateKeyPath, string PublicLine, string Fingerprint)
{
    public static SshKeyFile Generate(string folder, string name, string type = "ed25519", int? bits = null)
    {
        var path = Path.Combine(folder, name);
        var arguments = new List<string> { "-q", "-t", type, "-N", "", "-C", $"{name}@test", "-f", path };
        if (bits is { } b)
        {
            arguments.InsertRange(0, ["-b", b.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }

        Run("ssh-keygen", arguments);
        var fingerprint = Run("ssh-keygen", ["-l", "-E", "sha256", "-f", path + ".pub"]).Split(' ')[1];
        return new SshKeyFile(path, File.ReadAllText(path + ".pub").Trim(), fingerprint);
    }

    public static string Run(string program, IEnumerable<string> arguments, string? input = null)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        if (input is not null)
        {
            process.StandardInput.Write(input);
        }

        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} did not finish in 60 s");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited {process.ExitCode}: {error.Result}");
        }

        return output.Result;
    }
}
