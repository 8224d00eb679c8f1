using Porthole.Execution.Executors;

namespace Porthole.Execution.Shell;

/// <summary>
/// The folders of one node under its workspace root:
/// <list type="bullet">
/// <item><c>home</c>: HOME and <c>~</c> of the steps; the real home of the runner is never used.</item>
/// <item><c>root</c>: where absolute paths of a config land. A job asking for <c>/go/src/x</c> gets
/// <c>WorkspaceRoot/root/go/src/x</c>: the job may not write to the host's file system outside its workspace,
/// and everything is removed with the workspace. Only directories are mapped; paths inside commands are not.</item>
/// <item><c>scratch</c>: the step scripts and the runner's own files, outside every working directory.</item>
/// <item><c>tmp</c>: TMPDIR, so that temporary files go with the workspace.</item>
/// </list>
/// </summary>
internal sealed record ShellWorkspace(string Root, string Home, string MappedRoot, string Scratch, string Temp)
{
    /// <param name="account">The job account of a root runner: it gets home, root and tmp, and may pass through scratch.</param>
    /// <param name="userNamespace">A sandbox in a user namespace: the SSH folder and what the job writes in it exist beforehand, to be mounted.</param>
    public static ShellWorkspace Create(string workspaceRoot, Sandbox.NodeAccount? account = null, bool userNamespace = false)
    {
        if (string.IsNullOrWhiteSpace(workspaceRoot) || !Path.IsPathRooted(workspaceRoot))
        {
            throw new ExecutorException($"The node's workspace root must be an absolute path, not '{workspaceRoot}'.");
        }

        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(workspaceRoot));
        var workspace = new ShellWorkspace(
            root,
            Path.Combine(root, "home"),
            Path.Combine(root, "root"),
            Path.Combine(root, "scratch"),
            Path.Combine(root, "tmp"));
        try
        {
            Directory.CreateDirectory(root);
            Directory.CreateDirectory(workspace.Home);
            Directory.CreateDirectory(workspace.MappedRoot);
            if (OperatingSystem.IsWindows())
            {
                throw new ExecutorException("The shell executor runs on Linux and macOS hosts only.");
            }

            Directory.CreateDirectory(workspace.Scratch, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            Directory.CreateDirectory(workspace.Temp);
            if (userNamespace)
            {
                var ssh = Path.Combine(workspace.Scratch, "ssh");
                Directory.CreateDirectory(ssh, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                foreach (var path in Sandbox.NodeSandbox.SessionWritablePaths(ssh))
                {
                    if (path.EndsWith(".log", StringComparison.Ordinal))
                    {
                        File.WriteAllBytes(path, []);
                    }
                    else
                    {
                        Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                    }
                }
            }

            if (account is not null)
            {
                File.SetUnixFileMode(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                    | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
                // The runner's files in scratch stay the runner's; the job account only reads what is given to it there.
                File.SetUnixFileMode(workspace.Scratch, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                    | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
                foreach (var folder in new[] { workspace.Home, workspace.MappedRoot, workspace.Temp })
                {
                    Processes.FileOwnership.Give(folder, account.Uid, account.Gid);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ExecutorException($"The node's workspace '{root}' could not be created: {e.Message}", e);
        }

        return workspace;
    }

    /// <summary>Maps a config's directory into the workspace (see the type's summary).</summary>
    public string Resolve(string path, string baseDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string combined;
        if (path == "~")
        {
            combined = Home;
        }
        else if (path.StartsWith("~/", StringComparison.Ordinal))
        {
            combined = Path.Combine(Home, path[2..]);
        }
        else if (Path.IsPathRooted(path))
        {
            combined = IsInside(Path.GetFullPath(path)) ? path : MappedRoot + "/" + path.TrimStart('/');
        }
        else
        {
            combined = Path.Combine(baseDirectory, path);
        }

        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(combined));
        if (!IsInside(full))
        {
            throw new ArgumentException($"The directory '{path}' leads out of the node's workspace.", nameof(path));
        }

        return full;
    }

    private bool IsInside(string fullPath) =>
        fullPath == Root || fullPath.StartsWith(Root + "/", StringComparison.Ordinal);
}
