using System.ComponentModel;
using System.Diagnostics;

namespace Porthole.Cli.Ssh;

/// <summary>What a short-lived helper program (ssh-keygen, ssh-add) printed and how it ended.</summary>
internal sealed record ToolResult(int ExitCode, string Output, string Error);

/// <summary>Runs OpenSSH's helper programs with their output captured, their input closed and a time limit.</summary>
internal static class ToolProcess
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(15);

    /// <summary>The program's result, or null when it is not installed.</summary>
    public static async Task<ToolResult?> RunAsync(
        string program,
        IReadOnlyList<string> arguments,
        IReadOnlyDictionary<string, string?> environment,
        CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception)
        {
            return null;
        }

        process.StandardInput.Close();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(Limit);
        var output = process.StandardOutput.ReadToEndAsync(limit.Token);
        var error = process.StandardError.ReadToEndAsync(limit.Token);
        try
        {
            await process.WaitForExitAsync(limit.Token);
            return new ToolResult(process.ExitCode, await output, await error);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            await process.WaitForExitAsync(CancellationToken.None);
            cancellationToken.ThrowIfCancellationRequested();
            throw new CliException($"{program} {string.Join(' ', arguments)} did not finish within {Limit.TotalSeconds:0} seconds");
        }
    }
}
