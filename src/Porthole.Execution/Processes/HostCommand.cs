using System.ComponentModel;
using System.Diagnostics;

namespace Porthole.Execution.Processes;

/// <summary>The result of a runner's own tool run to its end: its exit code (127 when it could not start) and what it printed.</summary>
internal sealed record HostCommandResult(int ExitCode, string Output, string Error)
{
    public bool Succeeded => ExitCode == 0;
}

/// <summary>Runs one of the runner's own tools on the host (getent, useradd, bwrap, git) with an argv, to its end.</summary>
internal static class HostCommand
{
    public static async Task<HostCommandResult> RunAsync(
        string program,
        IEnumerable<string> arguments,
        CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception e)
        {
            return new HostCommandResult(127, string.Empty, $"{program} could not be started: {e.Message}");
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var error = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            return new HostCommandResult(process.ExitCode, await output, await error);
        }
    }
}
