using System.Diagnostics;

namespace Porthole.Server.Tests.Support;

/// <summary>Runs the real program (ssh) as the CLI would, but keeps its output for the test; its input is closed.</summary>
internal sealed class CapturingLauncher : Cli.Ssh.IProcessLauncher
{
    public bool InputIsTerminal => false;

    public string Output { get; private set; } = "";

    public string Error { get; private set; } = "";

    public async Task<int> RunAsync(string program, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        Output = await output;
        Error = await error;
        return process.ExitCode;
    }
}
