using System.Diagnostics;
using System.Text;
using Porthole.Contracts.Plans;
using Porthole.Pipeline.Travis;

namespace Porthole.Pipeline.Tests.Travis.Languages;

/// <summary>
/// A checkout in a temporary folder with fake tools (npm, bundle, mvn, go, …) first on PATH: each prints the version
/// it is given when asked for one, records any other command line in a log, and exits as told. Default phase commands
/// run here exactly as the runner runs a phase: a phase script written by <see cref="PhaseScriptWriter"/>, run by bash
/// in the checkout, with the shell state one phase leaves kept for the next (the checkout has a .git folder).
/// </summary>
internal sealed class FakeToolCheckout : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("porthole-languages-").FullName;
    private readonly Dictionary<string, string> _environment = new(StringComparer.Ordinal);

    public FakeToolCheckout()
    {
        Directory.CreateDirectory(Checkout);
        Directory.CreateDirectory(Path.Combine(Checkout, ".git"));
        Directory.CreateDirectory(Bin);
        Directory.CreateDirectory(Home);
        System.IO.File.WriteAllText(LogFile, "");
    }

    public string Checkout => Path.Combine(_root, "checkout");

    public string Home => Path.Combine(_root, "home");

    private string Bin => Path.Combine(_root, "bin");

    private string LogFile => Path.Combine(_root, "commands.log");

    /// <summary>The command lines the fake tools were run with, in order.</summary>
    public IReadOnlyList<string> Logged => System.IO.File.ReadAllLines(LogFile);

    /// <summary>A fake tool on PATH.</summary>
    public FakeToolCheckout Tool(string name, string version = "1.0.0", int exitCode = 0)
    {
        WriteFake(Path.Combine(Bin, name), name, version, exitCode);
        return this;
    }

    /// <summary>A tool on PATH that runs <paramref name="body"/>, for one whose answers a test needs to choose.</summary>
    public FakeToolCheckout CustomTool(string name, string body)
    {
        var path = Path.Combine(Bin, name);
        System.IO.File.WriteAllText(path, "#!/bin/bash\n" + body + "\n");
        System.IO.File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return this;
    }

    /// <summary>A fake executable in the checkout (./gradlew), logged by the path it is run by.</summary>
    public FakeToolCheckout Executable(string relativePath, int exitCode = 0)
    {
        var path = Path.Combine(Checkout, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        WriteFake(path, "./" + relativePath, "1.0.0", exitCode);
        return this;
    }

    public FakeToolCheckout File(string relativePath, string content = "")
    {
        var path = Path.Combine(Checkout, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, content);
        return this;
    }

    public FakeToolCheckout Environment(string name, string value)
    {
        _environment[name] = value;
        return this;
    }

    /// <summary>Runs <paramref name="commands"/> as one phase; install-like phases stop at the first failing command.</summary>
    public (int ExitCode, string Output) Run(string phase, IReadOnlyList<string> commands)
    {
        var mode = phase is TravisPhase.Script ? PhaseMode.RunEvery : PhaseMode.StopAtFirstFailure;
        var script = PhaseScriptWriter.Write(new TravisPhase(phase, mode, StepCondition.OnSuccess, true), commands, []);
        var file = Path.Combine(_root, phase + ".sh");
        System.IO.File.WriteAllText(file, script);
        var start = new ProcessStartInfo("/bin/bash")
        {
            WorkingDirectory = Checkout,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        start.ArgumentList.Add(file);
        start.Environment.Clear();
        start.Environment["PATH"] = $"{Bin}:/usr/bin:/bin";
        start.Environment["HOME"] = Home;
        start.Environment["LANG"] = "C.UTF-8";
        start.Environment["FAKE_LOG"] = LogFile;
        start.Environment["TRAVIS_BUILD_DIR"] = Checkout;
        start.Environment["TRAVIS_REPO_SLUG"] = "octo/cat";
        foreach (var (name, value) in _environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{phase} did not finish");
        }

        return (process.ExitCode, new StringBuilder(output.Result).Append(error.Result).ToString());
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A tool may still be letting go of a file; the system's temp cleaning takes the rest.
        }
    }

    private void WriteFake(string path, string shownAs, string version, int exitCode)
    {
        System.IO.File.WriteAllText(path, $$"""
            #!/bin/bash
            case "$1" in --version|-v|-version|version) printf '%s\n' '{{version}}'; exit 0 ;; esac
            printf '%s\n' "{{shownAs}}${*:+ $*}" >> "$FAKE_LOG"
            exit {{exitCode}}

            """);
        System.IO.File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}
