using System.ComponentModel;
using System.Diagnostics;

namespace Porthole.Execution.Processes;

/// <summary>The result of a runner's own tool run to its end: its exit code (127 when it could not start) and what it printed.</summary>
internal sealed record HostCommandResult(int ExitCode, string Output, string Error)
{
    public bool Succeeded => ExitCode == 0;
}

/// <summary>Runs one of the runner's own tools on the host (getent, useradd, bwrap, git) with an argv, to its end or a cancel.</summary>
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
            var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            var error = process.StandardError.ReadToEndAsync(CancellationToken.None);
            try
            {
                await process.WaitForExitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Canceled: the tool is ended (by its id, with what it started) before the cancel goes on.
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
                throw;
            }

            return new HostCommandResult(process.ExitCode, await output, await error);
        }
    }
}
