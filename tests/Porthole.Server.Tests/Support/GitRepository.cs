using System.Diagnostics;

namespace Porthole.Server.Tests.Support;

/// <summary>A real git repository in a temporary folder, built commit by commit.</summary>
public sealed class GitRepository : IDisposable
{
    private readonly TempFolder _folder = new();

    public string Path => _folder.Path;

    public static GitRepository WithFiles(params (string Path, string Content)[] files)
    {
        var repository = new GitRepository();
        repository.Run("init", "--quiet", "--initial-branch=main");
        repository.Commit("first commit", files);
        return repository;
    }

    /// <summary>Writes the files, commits them and returns the commit's sha.</summary>
    public string Commit(string message, params (string Path, string Content)[] files)
    {
        foreach (var (path, content) in files)
        {
            var full = System.IO.Path.Combine(Path, path);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
            File.WriteAllText(full, content);
        }

        Run("add", "-A");
        Run("-c", "user.name=Test", "-c", "user.email=test@localhost", "commit", "--quiet", "--allow-empty", "-m", message);
        return Run("rev-parse", "HEAD").Trim();
    }

    public string Run(params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = Path, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"git {string.Join(' ', arguments)} failed: {error}");
        }

        return output;
    }

    public void Dispose() => _folder.Dispose();
}
