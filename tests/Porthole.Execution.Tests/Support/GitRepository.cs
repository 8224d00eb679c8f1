using System.Diagnostics;

namespace Porthole.Execution.Tests.Support;

/// <summary>A real git repository in a temporary folder, with commits made by the real git.</summary>
internal sealed class GitRepository : IDisposable
{
    private readonly TempFolder _folder = new("porthole-repo-");

    public GitRepository()
    {
        Git("init", "--quiet", "--initial-branch=main", ".");
    }

    public string Path => _folder.Path;

    public string FileUrl => new Uri(Path).AbsoluteUri;

    public string Commit(string file, string content, string message)
    {
        File.WriteAllText(System.IO.Path.Combine(Path, file), content);
        Git("add", "--", file);
        Git("-c", "user.name=Porthole Test", "-c", "user.email=test@porthole.invalid", "commit", "--quiet", "-m", message);
        return Git("rev-parse", "HEAD").Trim();
    }

    public string Git(params string[] arguments)
    {
        var startInfo = new ProcessStartInfo("git")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        startInfo.Environment["HOME"] = Path;
        using var process = Process.Start(startInfo)!;
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"git {string.Join(' ', arguments)} failed: {errors.Result}");
        }

        return output;
    }

    public void Dispose() => _folder.Dispose();
}
