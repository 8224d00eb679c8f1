using System.Text.RegularExpressions;
using Porthole.Execution.Processes;
using Porthole.Ssh.Endpoints;

namespace Porthole.Ssh.Recording;

/// <summary>
/// The recordings of a node's interactive sessions (R-BEY-2). The attach script runs every interactive session that can
/// type under util-linux <c>script</c> (<see cref="ScriptTexts"/>), which logs the session's terminal in the node's
/// recordings folder (<see cref="NodeSshFiles.RecordingsDirectory"/>) as <c>PID-MICROSECONDS.io</c> and <c>.tm</c>, PID the
/// attach script's, as its audit line names it. Once a session is over (its connection ended, or script wrote its
/// trailer), its logs are converted to asciicast v2 with the job's secrets masked (<see cref="AsciicastWriter"/>) and
/// handed to the sink with who opened the session (the connection's key owner, as the node's grants name it: never what
/// the logs say), then deleted. A log no session of this node started (the account may write anything there) is ignored.
/// The folder is the session account's: its files are read without following links and only when regular
/// (<see cref="RegularFile"/>). <see cref="FinishAsync"/> takes what is left once sshd and every session have ended.
/// </summary>
internal sealed partial class SessionRecordings(
    NodeSshFiles files,
    SshConnections connections,
    SecretPatterns secrets,
    ISshEventSink sink,
    TimeProvider timeProvider)
{
    /// <summary>How long after a connection's end its recording is taken (script writes its last bytes as it ends).</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(1);

    /// <summary>The most recordings one node uploads.</summary>
    public const int MaxRecordings = 1000;

    private readonly HashSet<string> _done = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<string> _problems = [];
    private Task _watching = Task.CompletedTask;
    private int _uploaded;

    /// <summary>How many recordings were uploaded.</summary>
    public int Uploaded => Volatile.Read(ref _uploaded);

    /// <summary>Why recordings could not be uploaded, one line each (for the log's last section).</summary>
    public IReadOnlyList<string> Problems
    {
        get
        {
            lock (_problems)
            {
                return [.. _problems];
            }
        }
    }

    /// <summary>Takes each recording as its session ends, until <see cref="FinishAsync"/>.</summary>
    public void Start() => _watching = WatchAsync(_stop.Token);

    /// <summary>Stops watching and takes every recording left: call it once sshd and every session have ended.</summary>
    public async Task FinishAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync();
        }

        await _watching;
        await CollectAsync(final: true);
    }

    private async Task WatchAsync(CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await connections.Changed.WaitAsync(stop);
                await Task.Delay(Settle, timeProvider, stop);
                await CollectAsync(final: false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    /// <summary>Converts and hands over every recording whose session is over (every one, when <paramref name="final"/>).</summary>
    private async Task CollectAsync(bool final)
    {
        await _gate.WaitAsync();
        try
        {
            foreach (var (name, processId) in Logs())
            {
                if (_done.Contains(name) || connections.SessionOf(processId) is not { } session)
                {
                    continue;
                }

                if (!final && !session.Connection.Ended)
                {
                    continue;
                }

                _done.Add(name);
                if (_done.Count > MaxRecordings)
                {
                    Problem($"this node has more than {MaxRecordings} recorded sessions; the others are not kept");
                    continue;
                }

                await TakeAsync(name, session.Connection, session.Session);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task TakeAsync(string name, SshConnection connection, AuditLine session)
    {
        var basePath = Path.Combine(files.RecordingsDirectory, name);
        try
        {
            var (uploaded, problem) = await CastUpload.KeepAsync(
                Path.Combine(files.Directory, $"recording-{name}.cast"),
                cast =>
                {
                    using var timing = RegularFile.OpenRead(basePath + ".tm");
                    using var io = RegularFile.OpenRead(basePath + ".io");
                    if (timing is null || io is null)
                    {
                        return null;
                    }

                    using var bufferedTiming = new BufferedStream(timing, 1 << 16);
                    using var bufferedIo = new BufferedStream(io, 1 << 16);
                    return AsciicastWriter.Convert(bufferedTiming, bufferedIo, secrets, cast);
                },
                new RecordingOwner(connection.UserName ?? session.UserName, connection.Fingerprint, session.Via),
                session.At,
                sink);
            if (uploaded)
            {
                Interlocked.Increment(ref _uploaded);
            }
            else if (problem is not null)
            {
                Problem(problem);
            }
        }
        finally
        {
            CastUpload.Delete(basePath + ".tm");
            CastUpload.Delete(basePath + ".io");
        }
    }

    /// <summary>The recordings folder's timing logs by name (without extension), with the attach script's process id in it.</summary>
    private IEnumerable<(string Name, int ProcessId)> Logs()
    {
        IEnumerable<string> paths;
        try
        {
            paths = Directory.EnumerateFiles(files.RecordingsDirectory, "*.tm").ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            yield break;
        }

        foreach (var path in paths.Order(StringComparer.Ordinal))
        {
            var match = LogName().Match(Path.GetFileName(path));
            if (match.Success && int.TryParse(match.Groups["pid"].Value, out var processId))
            {
                yield return (match.Groups["name"].Value, processId);
            }
        }
    }

    private void Problem(string text)
    {
        lock (_problems)
        {
            if (_problems.Count < 10)
            {
                _problems.Add(text);
            }
        }
    }

    [GeneratedRegex(@"^(?<name>(?<pid>[0-9]{1,9})-[0-9]{1,20})\.tm$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex LogName();
}
