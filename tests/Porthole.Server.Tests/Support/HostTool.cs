using System.Diagnostics;

namespace Porthole.Server.Tests.Support;

/// <summary>A tool of the test machine (docker, dpkg-deb) run to its end with an argv: its exit code and what it printed.</summary>
public static class HostTool
{
    public static async Task<(int Code, string Text)> RunAsync(string program, params string[] arguments)
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
        return (process.ExitCode, await output + await error);
    }

    /// <summary>docker with <paramref name="arguments"/>; whatever it answers.</summary>
    public static Task<(int Code, string Text)> DockerAsync(params string[] arguments) => RunAsync("/usr/bin/docker", arguments);

    /// <summary>docker with <paramref name="arguments"/>, which must succeed.</summary>
    public static async Task DockerOrFailAsync(params string[] arguments)
    {
        var (code, text) = await DockerAsync(arguments);
        Assert.True(code == 0, $"docker {string.Join(' ', arguments)}: {text}");
    }
}
