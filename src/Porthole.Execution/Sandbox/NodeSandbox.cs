using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Porthole.Execution.Executors;
using Porthole.Execution.Processes;
using Porthole.Execution.Shell;

namespace Porthole.Execution.Sandbox;

/// <summary>
/// One node's bubblewrap sandbox (decision 9): bwrap holds a PID, IPC and mount namespace open with a process that only
/// waits, and every process of the node enters them with nsenter (<see cref="Enter"/>). Nothing can leave a PID
/// namespace, and when its first process dies the kernel kills every other one: <see cref="DisposeAsync"/> ends the
/// node's processes whatever they did (setsid, a cleared environment, double forks). The data folder is an empty tmpfs
/// inside, with the node's workspace (and what it must read, the repository of a local project) put back, and
/// <c>/tmp</c> is the workspace's own <c>tmp</c>.
/// </summary>
public sealed class NodeSandbox : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);

    private readonly Process _bwrap;
    private readonly JobIsolation _isolation;
    private readonly TimeProvider _time;
    private readonly int _init;
    private Task? _disposed;

    private NodeSandbox(Process bwrap, int init, JobIsolation isolation, TimeProvider time)
    {
        _bwrap = bwrap;
        _init = init;
        _isolation = isolation;
        _time = time;
    }

    /// <summary>The host pid of the sandbox's first process, whose namespaces every process of the node enters.</summary>
    public int InitPid => _init;

    /// <summary>The namespaces a node gets: a user namespace only for a runner that is not root.</summary>
    internal static IEnumerable<string> NamespaceArguments(bool userNamespace) =>
        userNamespace
            ? ["--unshare-user", "--uid", "0", "--gid", "0", "--unshare-pid", "--unshare-ipc"]
            : ["--unshare-pid", "--unshare-ipc"];

    /// <summary>Starts the sandbox of a node whose workspace is <paramref name="workspaceRoot"/> (it must have a <c>tmp</c> folder).</summary>
    /// <param name="readOnlyPaths">Paths the node reads although they are under a hidden folder (a local project's repository).</param>
    /// <exception cref="ExecutorException">bwrap failed.</exception>
    public static async Task<NodeSandbox> StartAsync(
        JobIsolation isolation,
        string workspaceRoot,
        string tag,
        IReadOnlyList<string> readOnlyPaths,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(isolation);
        var start = new ProcessStartInfo(isolation.BwrapPath)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = "/",
        };
        foreach (var argument in Arguments(isolation, workspaceRoot, readOnlyPaths))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Clear();
        start.Environment["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        start.Environment[LeftoverProcesses.TagVariable] = tag;
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception e)
        {
            throw new ExecutorException($"The node's sandbox could not be started: {e.Message}", e);
        }

        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var timeout = new CancellationTokenSource(StartTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        string? line;
        try
        {
            line = await process.StandardOutput.ReadLineAsync(linked.Token);
        }
        catch (OperationCanceledException)
        {
            line = null;
        }

        var init = line == "ready" ? FirstChild(process.Id) : 0;
        if (init <= 0)
        {
            KillQuietly(process);
            await process.WaitForExitAsync(CancellationToken.None);
            var why = (await stderr).Trim();
            process.Dispose();
            cancellationToken.ThrowIfCancellationRequested();
            throw new ExecutorException($"The node's sandbox did not start: {(why.Length > 0 ? why : "bwrap did not answer in time")}.");
        }

        return new NodeSandbox(process, init, isolation, time);
    }

    /// <summary>
    /// The argv that runs a program inside the sandbox in <paramref name="directory"/>: as the job account (a root
    /// runner), without capabilities, unable to gain privileges; or, with <paramref name="asRunner"/>, as the runner's
    /// own account (the node's sshd, which logs users in as the job account). A runner without root runs its
    /// <paramref name="asRunner"/> processes outside the sandbox: there they are the runner itself, and a job that shares
    /// their account must not reach what they read (the host key).
    /// </summary>
    public IReadOnlyList<string> Enter(string directory, bool asRunner)
    {
        if (asRunner && _isolation.UserNamespace)
        {
            return [];
        }

        // As few programs as can be, for every step pays for each: nsenter itself sets a job account's uid, gid and
        // groups, and setpriv before it forbids gaining privileges (the bit survives setns and exec). The directory is
        // entered inside, by env: nsenter's own --wd opens it before entering, in the host's mount tree.
        var argv = new List<string>();
        if (!asRunner)
        {
            argv.AddRange([_isolation.SetprivPath, "--no-new-privs"]);
        }

        argv.AddRange([_isolation.NsenterPath, "--target", _init.ToString(CultureInfo.InvariantCulture)]);
        if (_isolation.UserNamespace)
        {
            argv.AddRange(["--user", "--preserve-credentials"]);
        }

        argv.AddRange(["--mount", "--pid"]);
        if (!asRunner && _isolation.Account is { } account)
        {
            argv.AddRange([
                "--setuid=" + account.Uid.ToString(CultureInfo.InvariantCulture),
                "--setgid=" + account.Gid.ToString(CultureInfo.InvariantCulture),
            ]);
        }

        argv.Add("--");
        if (!asRunner && _isolation.Account is null)
        {
            // Root of a user namespace: entering it gave every capability there, which an exec as uid 0 would keep.
            argv.AddRange([_isolation.SetprivPath, "--bounding-set=-all", "--inh-caps=-all", "--"]);
        }

        argv.AddRange([_isolation.EnvPath, "-C", directory, "--"]);
        return argv;
    }

    /// <summary>Kills the sandbox's first process, and with it every process of the node. Idempotent.</summary>
    public ValueTask DisposeAsync()
    {
        _disposed ??= DisposeOnceAsync();
        return new ValueTask(_disposed);
    }

    private async Task DisposeOnceAsync()
    {
        _ = ProcessSignals.Send(_init, ProcessSignals.SigKill);
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(10), _time);
        try
        {
            await _bwrap.WaitForExitAsync(patience.Token);
        }
        catch (OperationCanceledException)
        {
            KillQuietly(_bwrap);
        }

        _bwrap.Dispose();
    }

    private static IEnumerable<string> Arguments(JobIsolation isolation, string workspaceRoot, IReadOnlyList<string> readOnlyPaths)
    {
        var workspace = Path.TrimEndingDirectorySeparator(Path.GetFullPath(workspaceRoot));
        var shared = readOnlyPaths.Select(p => Path.TrimEndingDirectorySeparator(Path.GetFullPath(p)));
        if (!isolation.UserNamespace)
        {
            shared = shared.Concat(isolation.RunnerReadOnlyPaths);
        }

        var visible = shared.Distinct(StringComparer.Ordinal).Where(Path.Exists).ToList();

        // Hidden: the data folder and the like, the host's /tmp (the node gets an empty one), and, for a job account,
        // every folder above what it must reach that it could not pass through on the host (a home folder of 0700).
        var hiddenSet = new HashSet<string>(isolation.HiddenPaths.Where(Directory.Exists), StringComparer.Ordinal) { "/tmp" };
        if (isolation.Account is { } account)
        {
            foreach (var path in visible.Prepend(workspace))
            {
                if (Ancestors(path).FirstOrDefault(a => !Passable(a, account)) is { } closed)
                {
                    hiddenSet.Add(closed);
                }
            }
        }

        var hidden = hiddenSet.OrderBy(p => p.Length).ToList();
        var arguments = new List<string>(NamespaceArguments(isolation.UserNamespace))
        {
            "--bind", "/", "/",
            "--dev", "/dev",
            "--tmpfs", "/dev/shm",
            "--proc", "/proc",
        };
        foreach (var path in hidden.Where(p => !hidden.Any(h => IsUnder(p, h))))
        {
            arguments.AddRange(["--tmpfs", path]);
        }

        var made = new HashSet<string>(StringComparer.Ordinal);
        void Reach(string path)
        {
            // bwrap would make the folders above a mount point with modes of its own choosing; under a hidden folder they
            // must be passable, whatever the host's are.
            foreach (var parent in Ancestors(path).Where(a => hidden.Any(h => IsUnder(a, h)) && made.Add(a)))
            {
                arguments.AddRange(["--perms", "0755", "--dir", parent]);
            }
        }

        Reach(workspace);
        arguments.AddRange(["--bind", workspace, workspace]);
        if (isolation.UserNamespace)
        {
            // The node's sshd runs outside the sandbox as the runner's account, which is also the job's here: the job may
            // not change its files (a key without the forced command would be a shell outside). Only the tmux folder and
            // the debug session's two logs stay writable (the runner reads the logs through the sandbox's root).
            var ssh = Path.Combine(workspace, "scratch", "ssh");
            arguments.AddRange(["--ro-bind", ssh, ssh]);
            foreach (var writable in SessionWritablePaths(ssh))
            {
                arguments.AddRange(["--bind", writable, writable]);
            }
        }

        foreach (var path in visible)
        {
            Reach(path);
            arguments.AddRange(["--ro-bind", path, path]);
        }

        if (NodePasswd.Write(isolation, workspace) is { } passwd)
        {
            arguments.AddRange(["--ro-bind", passwd, "/etc/passwd"]);
        }

        arguments.AddRange(["--", "/bin/sh", "-c", "echo ready; exec sleep infinity"]);
        return arguments;
    }

    /// <summary>What a job's processes write in the node's SSH folder: the tmux socket's folder and the debug session's logs.</summary>
    internal static string[] SessionWritablePaths(string sshFolder) =>
        [Path.Combine(sshFolder, "tmux"), Path.Combine(sshFolder, "debug_session.log"), Path.Combine(sshFolder, "debug_record.log")];

    /// <summary>
    /// The argv before a program that an SSH session runs, for an sshd outside the sandbox (a runner of an ordinary
    /// account): the session enters the node's sandbox as a step does. Empty when sshd itself runs in the sandbox.
    /// </summary>
    public IReadOnlyList<string> SessionEntry(string directory) => _isolation.UserNamespace ? Enter(directory, asRunner: false) : [];

    /// <summary>bwrap's only child (the namespace's first process): from the kernel's list when it keeps one, else from /proc.</summary>
    private static int FirstChild(int pid)
    {
        try
        {
            var children = File.ReadAllText($"/proc/{pid}/task/{pid}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (children.Length > 0 && int.TryParse(children[0], NumberStyles.None, CultureInfo.InvariantCulture, out var child))
            {
                return child;
            }
        }
        catch (IOException)
        {
        }

        return ProcessTable.Read().ChildrenOf(pid).FirstOrDefault();
    }

    /// <summary>The folders above <paramref name="path"/>, from the top down, without <c>/</c>.</summary>
    private static List<string> Ancestors(string path)
    {
        var parents = new List<string>();
        for (var parent = Path.GetDirectoryName(path); parent is not null && parent != "/"; parent = Path.GetDirectoryName(parent))
        {
            parents.Add(parent);
        }

        parents.Reverse();
        return parents;
    }

    private static bool IsUnder(string path, string folder) => path.StartsWith(folder + "/", StringComparison.Ordinal);

    private static bool Passable(string folder, NodeAccount account)
    {
        try
        {
            var mode = File.GetUnixFileMode(folder);
            return mode.HasFlag(UnixFileMode.OtherExecute) || FileOwnership.OwnerOf(folder) == (uint)account.Uid;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static void KillQuietly(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception)
        {
        }
    }
}
