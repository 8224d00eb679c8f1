using Porthole.Execution.Executors;
using Porthole.Execution.Processes;

namespace Porthole.Execution.Sandbox;

/// <summary>
/// A local project's repository, for a job account that may not read it where it is (it is the server's, or in a
/// folder of 0700): the runner, which can, mirrors it into the node's scratch folder and gives the mirror to the
/// account; the checkout clones from the mirror. The source is the admin's (only admins make local projects), so
/// git's ownership check is waived for it.
/// </summary>
internal static class RepositoryCopy
{
    public static async Task<string> MirrorAsync(string source, string scratch, NodeAccount account, CancellationToken cancellationToken)
    {
        var target = Path.Combine(scratch, "repository.git");
        var clone = await HostCommand.RunAsync(
            "git",
            ["-c", "safe.directory=*", "clone", "--mirror", "--quiet", "--no-hardlinks", "--", source, target],
            cancellationToken,
            new Dictionary<string, string> { ["GIT_TERMINAL_PROMPT"] = "0", ["GIT_ALLOW_PROTOCOL"] = "file" });
        if (!clone.Succeeded)
        {
            // The checkout says what is wrong with the repository in the job's own words; the copy is only skipped.
            return source;
        }

        GiveTree(target, account);
        return target;
    }

    /// <summary>
    /// A local repository as one bundle file in <paramref name="folder"/>, readable by anyone, for a container's checkout
    /// (git clones a bundle whoever owns it; a repository of another owner it refuses). Made before the container
    /// exists, so nothing of the job can be in the folder yet. Returns the bundle's path, or null when git could not.
    /// </summary>
    public static async Task<string?> BundleAsync(string source, string folder, CancellationToken cancellationToken)
    {
        var target = Path.Combine(folder, "repository.bundle");
        var bundle = await HostCommand.RunAsync(
            "git",
            ["-c", "safe.directory=*", "-C", source, "bundle", "create", "--quiet", target, "--all"],
            cancellationToken,
            new Dictionary<string, string> { ["GIT_TERMINAL_PROMPT"] = "0", ["GIT_ALLOW_PROTOCOL"] = "file" });
        if (!bundle.Succeeded || !File.Exists(target))
        {
            return null;
        }

        File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        return target;
    }

    private static void GiveTree(string root, NodeAccount account)
    {
        FileOwnership.Give(root, account.Uid, account.Gid);
        foreach (var entry in Directory.EnumerateFileSystemEntries(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            FileOwnership.Give(entry, account.Uid, account.Gid);
        }
    }
}
