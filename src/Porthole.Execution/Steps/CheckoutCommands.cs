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
    public static List<string[]> For(string repositoryUrl, string commitSha, string? branch, ConfigDialect dialect, bool alreadyCloned)
    {
        var commands = new List<string[]>();
        if (alreadyCloned)
        {
            commands.Add(["git", "remote", "set-url", "origin", repositoryUrl]);
            commands.Add(["git", "fetch", "--force", "--tags", "origin", "+refs/heads/*:refs/remotes/origin/*"]);
        }
        else
        {
            commands.Add(["git", "clone", "--no-checkout", "--", repositoryUrl, "."]);
        }

        commands.Add(["git", "-c", "advice.detachedHead=false", "checkout", "--force", "--detach", commitSha]);
        if (!string.IsNullOrEmpty(branch))
        {
            commands.Add(dialect == ConfigDialect.Travis
                ? ["git", "branch", "--force", branch, "HEAD"]
                : ["git", "checkout", "--force", "-B", branch]);
        }

        return commands;
    }

    /// <summary>A commit id is hex, abbreviated or full (SHA-1 or SHA-256): anything else could be read as an option.</summary>
    public static bool IsCommitId(string sha) =>
        sha.Length is >= 4 and <= 64 && sha.All(char.IsAsciiHexDigit);
}
