namespace Porthole.Ssh.Endpoints;

internal enum SshdStart
{
    Listening,
    BindFailed,
    PrivilegeSeparationDirectoryMissing,
    Exited,
    TimedOut,
}

/// <summary>One try to start sshd on one port: completes when it listens on every address, or why it does not.</summary>
internal sealed class SshdAttempt(int port, int addressCount)
{
    private readonly TaskCompletionSource<SshdStart> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _listening;

    public int Port { get; } = port;

    public Task<SshdStart> Outcome => _outcome.Task;

    /// <summary>sshd's own pid (its parent, the supervisor script, is the step process).</summary>
    public int SshdPid { get; private set; }

    public string? PrivilegeSeparationDirectory { get; private set; }

    public SshdOutput? Output { get; set; }

    public void OnLine(SshdLogLine line)
    {
        switch (line.Kind)
        {
            case SshdLogKind.SshdPid:
                SshdPid = line.ProcessId;
                break;
            case SshdLogKind.Listening when line.Port == Port:
                if (Interlocked.Increment(ref _listening) == addressCount)
                {
                    _outcome.TrySetResult(SshdStart.Listening);
                }

                break;
            case SshdLogKind.BindFailed:
                _outcome.TrySetResult(SshdStart.BindFailed);
                break;
            case SshdLogKind.PrivilegeSeparationDirectoryMissing:
                PrivilegeSeparationDirectory = line.Detail;
                _outcome.TrySetResult(SshdStart.PrivilegeSeparationDirectoryMissing);
                break;
        }
    }

    public void OnExited() => _outcome.TrySetResult(SshdStart.Exited);

    public void OnTimedOut() => _outcome.TrySetResult(SshdStart.TimedOut);
}
