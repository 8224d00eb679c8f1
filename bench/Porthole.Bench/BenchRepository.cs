using System.Diagnostics;

namespace Porthole.Bench;

/// <summary>A local git repository of one commit holding a CircleCI config, for a bench's project.</summary>
public static class BenchRepository
{
    /// <summary>Makes <paramref name="directory"/> a repository whose <c>main</c> has <paramref name="config"/> as <c>.circleci/config.yml</c>; returns its path.</summary>
    public static string Create(string directory, string config)
    {
        Directory.CreateDirectory(Path.Combine(directory, ".circleci"));
        File.WriteAllText(Path.Combine(directory, ".circleci", "config.yml"), config);
        Git(directory, "init", "--quiet", "--initial-branch=main");
        Git(directory, "add", ".");
        Git(directory, "-c", "user.name=bench", "-c", "user.email=bench@localhost", "commit", "--quiet", "-m", "bench");
        return directory;
    }

    private static void Git(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = directory };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"git {string.Join(' ', arguments)} failed");
        }
    }
}
