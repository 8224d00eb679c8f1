using System.Text;
using Docker.DotNet;
using Porthole.Execution.Executors;
using Porthole.Execution.Processes;
using Porthole.Execution.Sandbox;
using Porthole.Execution.Shell;

namespace Porthole.Execution.Docker;

/// <summary>
/// One node on the docker executor: its primary container (where every step runs, as an exec), its service
/// containers and its network, all labelled with the node's tag. Paths are the container's. The node's scratch folder
/// is a folder of its workspace on the host, mounted into the container at <see cref="DockerSettings.ScratchMount"/>.
/// <see cref="DestroyAsync"/> removes the containers (and everything still running in them) and the network.
/// </summary>
internal sealed class DockerNode : IExecutorNode
{
    private readonly IDockerClient _client;
    private readonly NodeContainers _containers;
    private readonly PrimaryContainer _primary;
    private readonly ContainerUser _user;
    private readonly ShellWorkspace _workspace;
    private readonly TimeProvider _timeProvider;
    private readonly ShellExecutorOptions _options;
    private readonly string _tag;
    private readonly HashSet<string> _madeDirectories = new(StringComparer.Ordinal);
    private readonly List<Entry.ContainerEntryProxy> _entries = [];
    private readonly DockerEngine _engine;
    private readonly Lock _gate = new();
    private Task? _destroyed;

    public DockerNode(DockerEngine engine, NodeContainers containers, ContainerUser user, IReadOnlyDictionary<string, string> baseEnvironment, ShellWorkspace workspace, TimeProvider timeProvider, ShellExecutorOptions options, string tag)
    {
        _client = engine.Client;
        _engine = engine;
        _containers = containers;
        _primary = new PrimaryContainer(_client, containers.Primary, timeProvider);
        _user = user;
        _workspace = workspace;
        _timeProvider = timeProvider;
        _options = options;
        _tag = tag;
        BaseEnvironment = baseEnvironment;
    }

    public string HomeDirectory => _user.Home;

    public string ScratchDirectory => DockerSettings.ScratchMount;

    /// <summary>The container's user is not an account of the host: the host side's (<see cref="Host"/>) is the sessions' login.</summary>
    public NodeAccount? Account => null;

    public string? IsolationWarning { get; init; }

    public string? RemoteDockerHost { get; init; }

    public string RemoteDockerRefusal =>
        "setup_remote_docker needs a Docker engine for the job, and this runner gives none: its setting Runner:Docker:RemoteDocker is off (host-socket mounts the host's engine, which is root on the runner's host).";

    public IReadOnlyDictionary<string, string> BaseEnvironment { get; }

    public IReadOnlyList<string> SessionEntry(string directory) => [];

    /// <summary>The sandbox on the runner's host beside the containers, when the runner asked for one (an SSH endpoint); else the node itself.</summary>
    public IExecutorNode Host => HostSide ?? this;

    internal IExecutorNode? HostSide { get; set; }

    /// <summary>
    /// Opens the sessions' door into the primary container (<see cref="Entry.ContainerEntryProxy"/>, a socket in the SSH
    /// folder that lets through only execs into this container as its user with the job's environment) and returns the
    /// docker command that goes through it. The job's session rc is written into the container's scratch folder.
    /// </summary>
    public async Task<SessionEntry> SessionEntryAsync(SessionEntryRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var docker = DockerCli ?? throw new ExecutorException("SSH into a docker node needs the docker command on the runner's host (Debian's docker.io); it was not found on PATH.");
        var rc = await WriteScratchFileAsync("ssh_rc", request.SessionRc, cancellationToken);
        var socket = Path.Combine(request.SshDirectory, "enter.sock");
        var rules = new Entry.EntryRules(_containers.Primary, NodeContainers.PrimaryName(_tag), _user.Name, request.Directory, [.. request.Environment]);
        var proxy = Entry.ContainerEntryProxy.Start(socket, rules, _engine, _timeProvider, request.Account?.Gid);
        lock (_gate)
        {
            _entries.Add(proxy);
        }

        string[] door = [docker, "-H", "unix://" + socket, "exec"];
        string[] rcVariables = _user.HasBash
            ? ["-e", "PORTHOLE_SSH_RC=" + rc, "-e", "PROMPT_COMMAND=unset PROMPT_COMMAND; . \"$PORTHOLE_SSH_RC\"; unset PORTHOLE_SSH_RC"]
            : ["-e", "ENV=" + rc];
        // Each session's own id goes into the container with it: the endpoint ends a closed session's processes there by it.
        string[] carried = [.. request.Carried.SelectMany(name => new[] { "-e", name })];
        var (address, pid) = await PrimaryNetworkAsync(cancellationToken);
        return new SessionEntry([.. door, "-i", .. carried, _containers.Primary], [.. door, "-it", "-e", "TERM", .. carried, .. rcVariables, _containers.Primary])
        {
            Shell = _user.BashPath ?? "/bin/sh",
            ShellIsBash = _user.HasBash,
            SftpServer = _user.SftpServer ?? string.Empty,
            SftpMissing = _user.SftpServer is null
                ? $"the image {Image} has no sftp-server (Debian's openssh-sftp-server), which scp and sftp need in the container"
                : null,
            SessionRcPath = rc,
            Doorway = (door, _containers.Primary),
            ForwardHosts = address is null ? [] : [address],
            NetworkNamespaceProcess = pid,
        };
    }

    /// <summary>
    /// The primary container's address on the node's own network, which its service containers share: where sshd, on the
    /// runner's host, reaches what listens in the node on all its addresses. The host's loopback is not the container's,
    /// and is never given to a docker node's sessions. And the container's first process on the runner's host, whose
    /// network namespace is the node's (its loopback too), for a root runner's sshd to join.
    /// </summary>
    private async Task<(string? Address, int? Pid)> PrimaryNetworkAsync(CancellationToken cancellationToken)
    {
        var inspected = await _client.Containers.InspectContainerAsync(_containers.Primary, cancellationToken);
        var networks = inspected.NetworkSettings?.Networks;
        var address = networks is not null && networks.TryGetValue(NodeContainers.ShortName(_tag), out var network) && !string.IsNullOrEmpty(network.IPAddress)
            ? network.IPAddress
            : null;
        return (address, inspected.State is { Running: true, Pid: > 0 } state ? (int)state.Pid : null);
    }

    /// <summary>A path in the node's scratch folder as the runner's host has it (files the container writes for the runner).</summary>
    public string HostPathOf(string path) =>
        path.StartsWith(DockerSettings.ScratchMount + "/", StringComparison.Ordinal)
            ? Path.Combine(_workspace.Scratch, path[(DockerSettings.ScratchMount.Length + 1)..])
            : path;

    /// <summary>The primary container's image, for what the node says.</summary>
    internal string Image { get; init; } = string.Empty;

    /// <summary>The docker command on the runner's host that sessions enter the container with; null when there is none.</summary>
    private static string? DockerCli =>
        File.Exists("/usr/bin/docker") ? "/usr/bin/docker" : ExecutableLookup.Find("docker", Environment.GetEnvironmentVariable("PATH"), "/");

    /// <summary>A local repository is cloned from its mirror, or from its read-only mount at its own path; a URL as it is.</summary>
    public ValueTask<string> CheckoutSourceAsync(string repositoryUrl, CancellationToken cancellationToken) =>
        ValueTask.FromResult(ShellNode.LocalRepositoryPath(repositoryUrl) is { } path ? CheckoutSources.GetValueOrDefault(path, path) : repositoryUrl);

    /// <summary>Local repositories and the mirrors of them in the container's scratch folder that its user can read.</summary>
    internal IReadOnlyDictionary<string, string> CheckoutSources { get; init; } = new Dictionary<string, string>();

    public string StepShell(string shell) =>
        !_user.HasBash && shell == Steps.ShellCommandLine.Default ? "/bin/sh -eo pipefail" : shell;

    public string ResolveDirectory(string path, string baseDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var combined = path switch
        {
            "~" => _user.Home,
            _ when path.StartsWith("~/", StringComparison.Ordinal) => _user.Home.TrimEnd('/') + "/" + path[2..],
            _ when path.StartsWith('/') => path,
            _ => baseDirectory.TrimEnd('/') + "/" + path,
        };

        // Path's own rules are POSIX here (Linux only): it collapses . and .. without touching any file system.
        return Path.TrimEndingDirectorySeparator(Path.GetFullPath(combined));
    }

    public async ValueTask CreateDirectoryAsync(string path, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_madeDirectories.Contains(path))
            {
                return;
            }
        }

        // As root, so that a working directory under a root-owned folder (/go/src/x) can be made; the folder made is
        // the job user's, as CircleCI gives it.
        const string Script = "[ -d \"$1\" ] || { mkdir -p -- \"$1\" && chown -- \"$2\" \"$1\"; }";
        var (code, output) = await _primary.RunAsync(["/bin/sh", "-c", Script, "sh", path, $"{_user.Uid}:{_user.Gid}"], "0", cancellationToken);
        if (code != 0)
        {
            throw new ExecutorException($"The directory '{path}' could not be made in the container: {output.Trim()}");
        }

        lock (_gate)
        {
            _madeDirectories.Add(path);
        }
    }

    public async ValueTask<bool> ExistsAsync(string path, CancellationToken cancellationToken)
    {
        var (code, _) = await _primary.RunAsync(["/bin/sh", "-c", "test -e \"$1\"", "sh", path], _user.Name, cancellationToken);
        return code == 0;
    }

    public async ValueTask<string> WriteScratchFileAsync(string name, string content, CancellationToken cancellationToken)
    {
        var fileName = Path.GetFileName(name);
        var path = Path.Combine(_workspace.Scratch, fileName);
        try
        {
            // The container may write in its mount of scratch (a root job is root there): never follow what it left.
            File.Delete(path);
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute,
            };
            await using (var stream = new FileStream(path, options))
            {
                await stream.WriteAsync(new UTF8Encoding(false).GetBytes(content), cancellationToken);
                if (!Environment.IsPrivilegedProcess)
                {
                    // The runner cannot give the file away: the container's user reads and writes it (BASH_ENV) by its
                    // mode, set on the file opened, never on whatever the path names by now.
                    File.SetUnixFileMode(stream.SafeFileHandle, (UnixFileMode)0b111_111_111);
                }
            }

            if (Environment.IsPrivilegedProcess)
            {
                // lchown: if the container swapped the file for a link meanwhile, only the link changes owner.
                FileOwnership.Give(path, _user.Uid, _user.Gid);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ExecutorException($"The step script '{fileName}' could not be written: {e.Message}", e);
        }

        return DockerSettings.ScratchMount + "/" + fileName;
    }

    public async Task<IStepProcess> StartAsync(StepLaunch launch, IStepOutput output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(launch);
        ArgumentNullException.ThrowIfNull(output);
        if (launch.Arguments.Count == 0)
        {
            throw new ArgumentException("A step launch needs a program to run.", nameof(launch));
        }

        if (launch.AsRunner)
        {
            // The runner's own programs (sshd) run on the node's host side, never in its container.
            throw new ExecutorException("A runner's program starts on the node's host side (IExecutorNode.Host), not in its container.");
        }

        lock (_gate)
        {
            if (_destroyed is not null)
            {
                throw new ExecutorException("The node has been destroyed; no more steps can start on it.");
            }
        }

        if (launch.Arguments[0] == "git" && !_user.HasGit)
        {
            // CircleCI falls back to a client of its own; Porthole says what the image lacks.
            throw new ExecutorException($"The image {Image} has no git, which the checkout runs in the container: use an image with git, or install it there.");
        }

        var environment = launch.Environment.Select(v => $"{v.Key}={v.Value}").Append($"{LeftoverProcesses.TagVariable}={_tag}").ToList();
        var (execId, stream) = await _primary.StartAsync([.. launch.Arguments], environment, launch.WorkingDirectory, launch.AsRoot ? "0" : _user.Name, cancellationToken, launch.Input is not null);
        // Nothing to keep: removing the container at the node's end ends every exec in it.
        var process = new DockerStepProcess(_client, _primary, execId, stream, output, _options.StopGrace, _timeProvider);
        if (launch.Input is { } input)
        {
            _ = StdinFeed.RunAsync(new ExecStdin(stream), input);
        }

        return process;
    }

    public ValueTask DestroyAsync()
    {
        lock (_gate)
        {
            _destroyed ??= DestroyOnceAsync();
            return new ValueTask(_destroyed);
        }
    }

    public ValueTask DisposeAsync() => DestroyAsync();

    private async Task DestroyOnceAsync()
    {
        // Removing the primary container ends every exec in it, whatever it forked or left behind: sessions too.
        await _containers.RemoveAsync(_client, _timeProvider, TimeSpan.FromSeconds(15));
        Entry.ContainerEntryProxy[] entries;
        lock (_gate)
        {
            entries = [.. _entries];
        }

        foreach (var entry in entries)
        {
            await entry.DisposeAsync();
        }

        if (HostSide is not null)
        {
            await HostSide.DestroyAsync();
        }
    }
}
