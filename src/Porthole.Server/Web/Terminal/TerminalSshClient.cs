using System.Diagnostics;
using System.Globalization;
using Porthole.Execution.Processes;
using Porthole.Ssh.Keys;

namespace Porthole.Server.Web.Terminal;

/// <summary>Where a browser terminal connects: a node's sshd, as the job's SSH view shows it.</summary>
internal sealed record TerminalTarget(string Host, int Port, string User);

/// <summary>
/// The real OpenSSH client of one browser terminal, on a <see cref="Pty"/> as its controlling terminal: it joins the node
/// exactly as a user's <c>ssh -tt</c> does, with the terminal's own key and the node's host key pinned. .NET cannot hand a
/// child an arbitrary descriptor, so <c>setsid</c> gives the client a session of its own and a shell opens the pty's slave
/// as its terminal (the first terminal a session leader opens becomes its controlling one), then runs ssh in its place:
/// the process started is ssh itself, and it is ended by that id.
/// </summary>
internal sealed class TerminalSshClient : IDisposable
{
    private static readonly TimeSpan TerminateGrace = TimeSpan.FromSeconds(2);

    private readonly Process _process;

    private TerminalSshClient(Process process)
    {
        _process = process;
        Exited = process.WaitForExitAsync();
    }

    public int ProcessId => _process.Id;

    /// <summary>Completes when ssh has exited.</summary>
    public Task Exited { get; }

    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    /// <param name="watch">Ask for <c>watch</c> (a debug session, read-only) instead of a login.</param>
    public static TerminalSshClient Start(Pty pty, TerminalTarget target, TerminalKeyPair key, bool watch)
    {
        var start = new ProcessStartInfo("setsid") { UseShellExecute = false };
        string[] arguments =
        [
            "sh", "-c", "exec 0<>\"$1\" 1>&0 2>&0 && shift && exec \"$@\"", "porthole-web-terminal", pty.SlavePath,
            "ssh", "-tt",
            "-F", "/dev/null",
            "-i", OpenSshText.ConfigValue(key.PrivateKeyPath),
            "-o", "IdentitiesOnly=yes",
            "-o", "IdentityAgent=none",
            "-o", "BatchMode=yes",
            "-o", "StrictHostKeyChecking=yes",
            "-o", $"UserKnownHostsFile={OpenSshText.ConfigValue(key.KnownHostsPath)}",
            "-o", "GlobalKnownHostsFile=/dev/null",
            "-o", "UpdateHostKeys=no",
            "-o", "LogLevel=ERROR",
            "-o", "ConnectTimeout=10",
            "-o", "ServerAliveInterval=30",
            "-p", target.Port.ToString(CultureInfo.InvariantCulture),
            "--",
            $"{target.User}@{target.Host}",
            .. watch ? (string[])["watch"] : [],
        ];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Nothing of the server's environment goes to the client (no agent, no settings); TERM is xterm.js's.
        start.Environment.Clear();
        start.Environment["PATH"] = "/usr/local/bin:/usr/bin:/bin";
        start.Environment["TERM"] = "xterm-256color";
        start.Environment["LANG"] = "C.UTF-8";
        start.Environment["HOME"] = Environment.GetEnvironmentVariable("HOME") ?? "/";
        var process = Process.Start(start) ?? throw new InvalidOperationException("The ssh client could not be started.");
        return new TerminalSshClient(process);
    }

    /// <summary>Ends ssh by its id: TERM (it closes the connection), then KILL if it is still there after a moment.</summary>
    public async Task EndAsync(TimeProvider time)
    {
        if (_process.HasExited)
        {
            return;
        }

        _ = ProcessSignals.Send(_process.Id, ProcessSignals.SigTerm);
        try
        {
            await Exited.WaitAsync(TerminateGrace, time);
        }
        catch (TimeoutException)
        {
            _process.Kill();
            await Exited;
        }
    }

    public void Dispose() => _process.Dispose();
}
