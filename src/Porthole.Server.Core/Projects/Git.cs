using System.Diagnostics;
using System.Text;

namespace Porthole.Server.Projects;

public sealed record GitResult(int ExitCode, string Output, string Error)
{
    public bool Succeeded => ExitCode == 0;
}

/// <summary>
/// Runs the real <c>git</c> with an argument list (never a shell line), never prompting, and reaching repositories by
/// https, http, ssh, git and local paths only: never a remote helper such as <c>ext::</c>, whatever git's config says.
/// </summary>
public static class Git
{
    /// <summary>
    /// The transports git may use (git(1), GIT_ALLOW_PROTOCOL): as if protocol.allow were never and these always, over any
    /// protocol.* setting of the machine's or the user's git config. <c>file</c> is a local path, which only a server admin
    /// (or LocalRepositoryRoots) gives; the server never clones submodules. Not listed, so refused: <c>ext</c> (runs a
    /// command), <c>fd</c> and every other remote helper.
    /// </summary>
    private const string AllowedProtocols = "https:http:ssh:git:file";

    public static async Task<GitResult> RunAsync(string? workingDirectory, IEnumerable<string> arguments, CancellationToken ct)
    {
        var start = new ProcessStartInfo("git")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Protect(start);
        start.Environment["GIT_ASKPASS"] = "/bin/false";
        start.Environment["LC_ALL"] = "C";

        using var process = Process.Start(start) ?? throw new InvalidOperationException("git could not be started");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        try
        {
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new GitResult(process.ExitCode, await output, await error);
    }

    /// <summary>The bytes of one file at a commit, or null when the commit has no such file.</summary>
    internal static void Protect(ProcessStartInfo start)
    {
        start.Environment["GIT_TERMINAL_PROMPT"] = "0";
        start.Environment["GIT_ALLOW_PROTOCOL"] = AllowedProtocols;
    }

    public static string FirstLine(string text)
    {
        var line = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "";
        return line.Length > 300 ? line[..300] : line;
    }

    /// <summary>A failed git run in one line: its exit code and the first line of its error.</summary>
    public static string Describe(GitResult result) =>
        new StringBuilder().Append("git exited with ").Append(result.ExitCode).Append(": ").Append(FirstLine(result.Error)).ToString();
}
