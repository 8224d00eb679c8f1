using System.Diagnostics;
using Porthole.Ssh.Endpoints;
using Porthole.Testing;

namespace Porthole.Ssh.Tests.Endpoints;

/// <summary>The sshd_config lines of a debug run open to anyone with its command (R-DBG-7's opt-in).</summary>
public sealed class OpenAccessTextTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Printf_answers_any_key_with_the_attach_script_as_forced_command()
    {
        var (lines, problem) = OpenAccessText.Render("/usr/bin/printf", "root", "/bin/bash", "/srv/it's 100%/attach.sh");

        Assert.Null(problem);
        var command = lines!.Split('\n')[0];
        Assert.StartsWith("AuthorizedKeysCommand /usr/bin/printf ", command, StringComparison.Ordinal);
        Assert.EndsWith(" %f %t %k", command, StringComparison.Ordinal);
        Assert.Contains("AcceptEnv PORTHOLE_DEBUG_TOKEN\n", lines, StringComparison.Ordinal);

        // What sshd runs: its %-tokens expanded (%% is a literal %), split at spaces; the format holds none.
        var format = command.Split(' ')[2].Replace("%%", "%", StringComparison.Ordinal);
        var start = new ProcessStartInfo("/usr/bin/printf") { RedirectStandardOutput = true };
        foreach (var argument in (string[])[format, "SHA256:abc+/=", "ssh-ed25519", "AAAAC3Nza"])
        {
            start.ArgumentList.Add(argument);
        }

        using var printf = Process.Start(start)!;
        var output = await printf.StandardOutput.ReadToEndAsync();
        await printf.WaitForExitAsync();
        Assert.Equal(
            "restrict,pty,command=\"exec '/bin/bash' '/srv/it'\\''s 100%/attach.sh' +anyone SHA256:abc+/= open\" ssh-ed25519 AAAAC3Nza\n",
            output);
    }

    [Fact]
    public void A_printf_in_a_folder_others_may_write_is_refused_with_the_reason()
    {
        var copy = Path.Combine(_folder.Path, "printf");
        File.Copy("/usr/bin/printf", copy);

        var (lines, problem) = OpenAccessText.Render(copy, "root", "/bin/bash", "/srv/attach.sh");

        Assert.Null(lines);
        Assert.Contains("belong to root and nobody else may write them", problem, StringComparison.Ordinal);
    }
}
