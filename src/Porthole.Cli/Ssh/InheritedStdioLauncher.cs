using System.ComponentModel;
using System.Diagnostics;

namespace Porthole.Cli.Ssh;

/// <summary>Runs a program as a child sharing this process's terminal (nothing captured) and waits for it.</summary>
public sealed class InheritedStdioLauncher : IProcessLauncher
{
    /// <summary>How long a child may take to end on its own after Ctrl+C (which reaches it too) before it is killed.</summary>
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(2);

    public static InheritedStdioLauncher Instance { get; } = new();

    public bool InputIsTerminal => !Console.IsInputRedirected;

    public async Task<int> RunAsync(string program, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var start = new ProcessStartInfo(program) { UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new CliException($"cannot start {program}: {e.Message}; install the OpenSSH client (the ssh command)");
        }

        try
        {
            await process.WaitForExitAsync(cancellationToken);
            return process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            using var grace = new CancellationTokenSource(Grace);
            try
            {
                await process.WaitForExitAsync(grace.Token);
                return process.ExitCode;
            }
            catch (OperationCanceledException)
            {
                process.Kill();
                await process.WaitForExitAsync(CancellationToken.None);
                throw;
            }
        }
    }
}
