using System.Diagnostics;

namespace Porthole.Ssh.Keys;

/// <summary>Runs OpenSSH's ssh-keygen: the runner's host key, the server's browser-terminal keys.</summary>
public static class SshKeygen
{
    /// <summary>Runs it with <paramref name="arguments"/> and returns what it printed; ended by its id when canceled.</summary>
    /// <exception cref="InvalidOperationException">It could not be started, or it failed (with what it said).</exception>
    public static async Task<string> RunAsync(string program, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"'{program}' could not be started: {e.Message}. Install openssh-client.", e);
        }

        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var error = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            await process.WaitForExitAsync(CancellationToken.None);
            throw;
        }

        if (process.ExitCode != 0)
        {
            // Only the command's options are said, never a key (none is ever an argument).
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({process.ExitCode}): {(await error).Trim()}");
        }

        return await output;
    }
}
