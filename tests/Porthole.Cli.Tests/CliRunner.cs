using System.Text;
using Porthole.Cli.Ssh;

namespace Porthole.Cli.Tests;

/// <summary>What one in-process run of the CLI gave: exit code, standard output (text and raw bytes, in order) and standard error.</summary>
public sealed record CliOutcome(int ExitCode, byte[] StdoutBytes, string Stderr)
{
    public string Stdout => Encoding.UTF8.GetString(StdoutBytes);

    public string[] StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>Runs the real <c>porthole</c> command line in this process with an environment of the test's own.</summary>
public static class CliRunner
{
    public static Task<CliOutcome> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        RunAsync(environment, new ImpatientTimeProvider(), args);

    public static Task<CliOutcome> RunAsync(IReadOnlyDictionary<string, string> environment, TimeProvider timeProvider, params string[] args) =>
        RunAsync(environment, timeProvider, new RecordingLauncher(), args);

    /// <summary>Runs with <paramref name="launcher"/> standing in for the programs the CLI hands the terminal to (ssh).</summary>
    public static Task<CliOutcome> RunAsync(IReadOnlyDictionary<string, string> environment, IProcessLauncher launcher, params string[] args) =>
        RunAsync(environment, new ImpatientTimeProvider(), launcher, args);

    public static Task<CliOutcome> RunAsync(IReadOnlyDictionary<string, string> environment, TimeProvider timeProvider, IProcessLauncher launcher, params string[] args) =>
        RunAsync(environment, timeProvider, launcher, outputIsTerminal: false, args);

    /// <summary>Runs as if standard output were a terminal (it is captured all the same).</summary>
    public static Task<CliOutcome> RunOnTerminalAsync(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        RunAsync(environment, new ImpatientTimeProvider(), new RecordingLauncher(), outputIsTerminal: true, args);

    private static async Task<CliOutcome> RunAsync(
        IReadOnlyDictionary<string, string> environment, TimeProvider timeProvider, IProcessLauncher launcher, bool outputIsTerminal, string[] args)
    {
        using var stdout = new MemoryStream();
        await using var text = new StreamWriter(stdout, new UTF8Encoding(false), leaveOpen: true) { AutoFlush = true };
        await using var stderr = new StringWriter();
        var context = new CliContext(
            text, stderr, stdout, name => environment.TryGetValue(name, out var value) ? value : null, timeProvider, outputIsTerminal);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var exitCode = await Cli.RunAsync(args, context, launcher, timeout.Token);
        await text.FlushAsync();
        return new CliOutcome(exitCode, stdout.ToArray(), stderr.ToString());
    }

    /// <summary>An environment logged in to <paramref name="server"/> through PORTHOLE_SERVER/PORTHOLE_TOKEN, with no config file.</summary>
    public static Dictionary<string, string> LoggedIn(string server, TempFolder folder, string token = "t0ken") => new()
    {
        ["PORTHOLE_SERVER"] = server,
        ["PORTHOLE_TOKEN"] = token,
        ["PORTHOLE_CONFIG"] = Path.Combine(folder.Path, "no-config.json"),
    };
}

/// <summary>A fresh folder under the system's temporary folder, removed at the end of the test.</summary>
public sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("porthole-cli-tests-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>The system clock, except that every wait ends at once: reconnection back-offs cost no test time.</summary>
public sealed class ImpatientTimeProvider : TimeProvider
{
    public int Waits { get; private set; }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        Waits++;
        return base.CreateTimer(callback, state, TimeSpan.Zero, period);
    }
}

/// <summary>Records the programs the CLI would start with the terminal (ssh) instead of starting them.</summary>
public sealed class RecordingLauncher(bool inputIsTerminal = false, int exitCode = 0) : IProcessLauncher
{
    public List<(string Program, IReadOnlyList<string> Arguments)> Runs { get; } = [];

    public bool InputIsTerminal => inputIsTerminal;

    public Task<int> RunAsync(string program, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        Runs.Add((program, [.. arguments]));
        return Task.FromResult(exitCode);
    }
}
