using Porthole.Contracts.Plans;

namespace Porthole.Execution.Steps;

/// <summary>
/// The git commands of a <c>checkout</c> step, as argv. The commit is checked out, not the branch's tip (the branch
/// may have moved since the pipeline was triggered). Then, as each service does: CircleCI points the branch at the
/// commit and leaves HEAD on it (<c>git checkout -B</c>); Travis leaves HEAD detached and only points the branch.
/// A folder that already holds a clone (a restored cache) is fetched into instead of cloned.
/// </summary>
public static class CheckoutCommands
{
    /// <param name="options">Travis's <c>git:</c> settings: the clone's depth (of the branch, as Travis clones
    /// <c>--depth=N --branch=B</c>), the submodules, quiet; null for a full clone.</param>
    public static List<string[]> For(string repositoryUrl, string commitSha, string? branch, ConfigDialect dialect, bool alreadyCloned, CheckoutPlan? options = null)
    {
        var commands = new List<string[]>();
        var quiet = options?.Quiet == true ? new[] { "--quiet" } : [];
        if (alreadyCloned)
        {
            commands.Add(["git", "remote", "set-url", "origin", repositoryUrl]);
            commands.Add(["git", "fetch", .. quiet, "--force", "--tags", "origin", "+refs/heads/*:refs/remotes/origin/*"]);
        }
        else if (options?.Depth is { } depth)
        {
            string[] onBranch = string.IsNullOrEmpty(branch) ? [] : [$"--branch={branch}"];
            commands.Add(["git", "clone", .. quiet, $"--depth={depth.ToString(System.Globalization.CultureInfo.InvariantCulture)}", .. onBranch, "--no-checkout", "--", repositoryUrl, "."]);
        }
        else
        {
            commands.Add(["git", "clone", .. quiet, "--no-checkout", "--", repositoryUrl, "."]);
        }

        commands.Add(["git", "-c", "advice.detachedHead=false", "checkout", .. quiet, "--force", "--detach", commitSha]);
        if (!string.IsNullOrEmpty(branch))
        {
            commands.Add(dialect == ConfigDialect.Travis
                ? ["git", "branch", "--force", branch, "HEAD"]
                : ["git", "checkout", "--force", "-B", branch]);
        }

        if (options?.Submodules == true)
        {
            // As Travis: only a repository with a .gitmodules has submodules to update (TB git/submodules.rb).
            commands.Add(["/bin/sh", "-c", "if [ -f .gitmodules ]; then exec git submodule update --init --recursive \"$@\"; fi", "sh", .. quiet]);
        }

        return commands;
    }

    /// <summary>A commit id is hex, abbreviated or full (SHA-1 or SHA-256): anything else could be read as an option.</summary>
    public static bool IsCommitId(string sha) =>
        sha.Length is >= 4 and <= 64 && sha.All(char.IsAsciiHexDigit);
}
