using System.Diagnostics;
using System.Text;

namespace Porthole.Ssh.Tests.Support;

internal sealed record ProgramResult(int ExitCode, string Output, string Error);

/// <summary>Runs the real OpenSSH tools (ssh, scp, sftp, rsync, ssh-keygen) and ends each by its pid if it outlives its test.</summary>
internal sealed class Programs : IDisposable
{
    private readonly List<Process> _started = [];
    private readonly Lock _gate = new();

    public static async Task<ProgramResult> RunOnceAsync(string program, params string[] arguments)
    {
        using var programs = new Programs();
        return await programs.RunAsync(program, arguments);
    }

    public async Task<ProgramResult> RunAsync(string program, IReadOnlyList<string> arguments, string? input = null, TimeSpan? timeout = null)
    {
        var running = Start(program, arguments, input);
        return await running.WaitAsync(timeout ?? TimeSpan.FromSeconds(20));
    }

    public RunningProgram Start(string program, IReadOnlyList<string> arguments, string? input = null)
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

        var process = new Process { StartInfo = startInfo };
        process.Start();
        lock (_gate)
        {
            _started.Add(process);
        }

        if (input is not null)
        {
            process.StandardInput.Write(input);
            process.StandardInput.Flush();
        }
        else
        {
            process.StandardInput.Close();
        }

        return new RunningProgram(process);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var process in _started)
            {
                try
                {
                    if (!process.HasExited)
                    {
                        process.Kill(entireProcessTree: true);
                    }
                }
                catch (InvalidOperationException)
                {
                }

                process.Dispose();
            }

            _started.Clear();
        }
    }
}

internal sealed class RunningProgram
{
    private readonly Process _process;
    private readonly StringBuilder _seen = new();
    private readonly Lock _gate = new();
    private readonly Task<string> _output;
    private readonly Task<string> _error;

    public RunningProgram(Process process)
    {
        _process = process;
        _output = PumpAsync(process.StandardOutput);
        _error = process.StandardError.ReadToEndAsync();
    }

    /// <summary>What the program has written to its stdout so far.</summary>
    public string OutputSoFar
    {
        get
        {
            lock (_gate)
            {
                return _seen.ToString();
            }
        }
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public void CloseInput() => _process.StandardInput.Close();

    /// <summary>Types into the program (started with an input, so that its input stays open).</summary>
    public void Type(string text)
    {
        _process.StandardInput.Write(text);
        _process.StandardInput.Flush();
    }

    public async Task<ProgramResult> WaitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{_process.StartInfo.FileName} {string.Join(' ', _process.StartInfo.ArgumentList)} did not end within {timeout}.");
        }

        return new ProgramResult(_process.ExitCode, await _output, await _error);
    }

    /// <summary>Reads the program's stdout to its end, keeping what arrives for <see cref="OutputSoFar"/>.</summary>
    private async Task<string> PumpAsync(StreamReader reader)
    {
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            lock (_gate)
            {
                _seen.Append(buffer, 0, read);
            }
        }

        return OutputSoFar;
    }

    public override string ToString() => new StringBuilder(_process.StartInfo.FileName).Append(' ').AppendJoin(' ', _process.StartInfo.ArgumentList).ToString();
}
