using Docker.DotNet;
using Docker.DotNet.Models;
using Porthole.Contracts.Plans;
using ContainerSpec = Porthole.Contracts.Plans.ContainerSpec;
using Porthole.Execution.Executors;
using Porthole.Execution.Shell;

namespace Porthole.Execution.Docker;

/// <summary>
/// Runs a node in containers (R-CI-3, CircleCI's <c>docker:</c>): the images are pulled when missing, the first
/// becomes the primary container, kept alive for the node's life, where every step runs as an exec; the others are
/// service containers sharing its network namespace (reachable on <c>localhost</c> and by their names). Each node has
/// a bridge network of its own, so nodes cannot reach each other's services.
/// </summary>
/// <param name="hostSide">Makes the sandbox on the runner's host that a node gets beside its containers when the runner runs programs of its own for it (<see cref="NodeSetup.HostSide"/>: an SSH endpoint).</param>
public sealed class DockerExecutor(DockerEngine engine, TimeProvider timeProvider, ShellExecutorOptions options, IExecutor? hostSide = null) : IExecutor
{
    /// <summary>Keeps the primary container alive without the image's own command (CircleCI ignores it too); init reaps.</summary>
    private static readonly string[] Keeper = ["/bin/sh", "-c", "while :; do sleep 3600 || exit 1; done", "porthole-keeper"];

    private static readonly TimeSpan CleanupPatience = TimeSpan.FromSeconds(15);

    public string? SetupStepName(ExecutorSpec executor) => "Spin up environment";

    public async Task<IExecutorNode> SetupAsync(NodeSetup setup, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(setup);
        var images = Images(setup.Executor);
        if (await engine.ProblemAsync(cancellationToken) is { } problem)
        {
            throw new ExecutorException($"This runner's docker executor cannot run the job: {problem}. Start the engine, or set Runner:Docker:RunOnShell to run docker jobs on the shell executor.");
        }

        var say = setup.Say ?? (_ => ValueTask.CompletedTask);
        var tag = setup.Tag ?? Guid.NewGuid().ToString("N");
        var workspace = ShellWorkspace.Create(setup.WorkspaceRoot);
        // The container's user passes through its mount of scratch to the files given to it, and lists nothing.
        File.SetUnixFileMode(workspace.Scratch, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);

        var client = engine.Client;
        var puller = new ImagePuller(client);
        foreach (var image in images)
        {
            await puller.EnsureAsync(image, setup.Variables, say, cancellationToken);
        }

        // The host side (a sandbox for sshd) starts beside the containers: neither waits for the other.
        var host = setup.HostSide && hostSide is not null
            ? hostSide.SetupAsync(new NodeSetup(Path.Combine(workspace.Root, "host"), new ExecutorSpec(ExecutorKind.Shell, null)) { Tag = tag }, cancellationToken)
            : Task.FromResult<IExecutorNode>(null!);
        try
        {
            // A local repository goes in as a bundle, made while no container can touch the scratch folder yet.
            var sources = await BundleRepositoriesAsync(setup, workspace, cancellationToken);
            var node = await StartAsync(client, setup, images, workspace, tag, sources, say, cancellationToken);
            node.HostSide = await host;
            return node;
        }
        catch (Exception e) when (e is ExecutorException or DockerApiException or HttpRequestException or IOException or OperationCanceledException)
        {
            await NodeContainers.RemoveTaggedAsync(client, tag, timeProvider, CleanupPatience);
            await Task.WhenAny(host);
            if (host.IsCompletedSuccessfully && host.Result is { } made)
            {
                await made.DestroyAsync();
            }

            if (e is OperationCanceledException)
            {
                throw;
            }

            throw e as ExecutorException ?? new ExecutorException($"The node's containers could not be made: {PrimaryContainer.Explain(e)}", e);
        }
    }

    private static IReadOnlyList<ContainerSpec> Images(ExecutorSpec executor)
    {
        var images = executor.Containers.Count > 0
            ? executor.Containers
            : executor.Image is { Length: > 0 } image ? [new ContainerSpec(image)] : [];
        if (images.Count == 0)
        {
            throw new ExecutorException("The job's docker: list names no image; the docker executor needs at least one.");
        }

        if (images.FirstOrDefault(i => string.IsNullOrWhiteSpace(i.Image)) is not null)
        {
            throw new ExecutorException("An image of the job's docker: list has no name.");
        }

        return images;
    }

    private async Task<DockerNode> StartAsync(IDockerClient client, NodeSetup setup, IReadOnlyList<ContainerSpec> images, ShellWorkspace workspace, string tag, IReadOnlyDictionary<string, string> sources, Func<string, ValueTask> say, CancellationToken cancellationToken)
    {
        var name = NodeContainers.ShortName(tag);
        await client.Networks.CreateNetworkAsync(
            new NetworksCreateParameters { Name = name, Driver = "bridge", Labels = ContainerLabels.For(tag, "network") },
            cancellationToken);

        var primary = images[0];
        var imageUser = (await client.Images.InspectImageAsync(primary.Image, cancellationToken)).Config?.User;
        var user = primary.User ?? (string.IsNullOrEmpty(imageUser) ? "root" : imageUser);
        var remoteDocker = setup.RemoteDocker && engine.Settings.RemoteDocker == RemoteDockerMode.HostSocket;
        var binds = new List<string> { $"{workspace.Scratch}:{DockerSettings.ScratchMount}" };
        // A local repository that could not be bundled (a runner that may not read it, say) is mounted read-only where it is.
        binds.AddRange(setup.ReadOnlyPaths.Where(p => !sources.ContainsKey(p) && Directory.Exists(p)).Select(p => $"{p}:{p}:ro"));
        var groups = new List<string>();
        if (remoteDocker)
        {
            binds.Add($"{engine.Settings.SocketPath}:/var/run/docker.sock");
            groups.Add(FileOwnershipGroup(engine.Settings.SocketPath));
        }

        var custom = primary.Entrypoint is not null || primary.Command is not null;
        await say($"Starting the primary container from {primary.Image} as {user}\n");
        var created = await client.Containers.CreateContainerAsync(
            new CreateContainerParameters
            {
                Name = NodeContainers.PrimaryName(tag),
                Image = primary.Image,
                User = user,
                Entrypoint = custom ? primary.Entrypoint?.ToList() : Keeper,
                Cmd = custom ? primary.Command?.ToList() : [],
                Env = [.. primary.Environment.Select(v => $"{v.Name}={v.Value}")],
                Labels = ContainerLabels.For(tag, "primary"),
                HostConfig = new HostConfig
                {
                    NetworkMode = name,
                    Init = true,
                    Binds = binds,
                    GroupAdd = groups,
                    ExtraHosts = [.. images.Skip(1).Where(s => s.Name is not null).Select(s => $"{s.Name}:127.0.0.1")],
                },
            },
            cancellationToken);
        await StartContainerAsync(client, created.ID, primary.Image, cancellationToken);

        var services = new List<(string Id, ContainerSpec Spec)>();
        for (var i = 1; i < images.Count; i++)
        {
            var service = images[i];
            await say($"Starting the service container {service.Name ?? service.Image} from {service.Image}\n");
            var made = await client.Containers.CreateContainerAsync(
                new CreateContainerParameters
                {
                    Name = $"{name}-{i}",
                    Image = service.Image,
                    User = service.User!,
                    Entrypoint = service.Entrypoint?.ToList(),
                    Cmd = service.Command?.ToList(),
                    Env = [.. service.Environment.Select(v => $"{v.Name}={v.Value}")],
                    Labels = ContainerLabels.For(tag, "service"),
                    HostConfig = new HostConfig { NetworkMode = $"container:{created.ID}" },
                },
                cancellationToken);
            await StartContainerAsync(client, made.ID, service.Image, cancellationToken);
            services.Add((made.ID, service));
        }

        var probed = await ProbeAsync(client, created.ID, primary, user, cancellationToken);
        foreach (var (id, spec) in services)
        {
            await EnsureRunningAsync(client, id, spec, cancellationToken);
        }

        var inspected = await client.Containers.InspectContainerAsync(created.ID, cancellationToken);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in inspected.Config?.Env ?? [])
        {
            var equals = entry.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                environment[entry[..equals]] = entry[(equals + 1)..];
            }
        }

        environment["HOME"] = probed.Home;
        environment.TryAdd("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        environment["SHELL"] = probed.BashPath ?? "/bin/sh";
        return new DockerNode(engine, new NodeContainers(tag, created.ID), probed, environment, workspace, timeProvider, options, tag)
        {
            IsolationWarning = remoteDocker
                ? "setup_remote_docker gives this job the host's Docker engine (Runner:Docker:RemoteDocker=host-socket): the job can do whatever root can on the runner's host."
                : null,
            RemoteDockerHost = remoteDocker ? "unix:///var/run/docker.sock" : null,
            CheckoutSources = sources,
            Image = primary.Image,
        };
    }

    /// <summary>Asks the primary container who its user is; a container that ended already (no shell, say) says why.</summary>
    private async Task<ContainerUser> ProbeAsync(IDockerClient client, string id, ContainerSpec primary, string user, CancellationToken cancellationToken)
    {
        int code;
        string output;
        try
        {
            (code, output) = await new PrimaryContainer(client, id, timeProvider).RunAsync(["/bin/sh", "-c", ContainerUser.ProbeScript], user, cancellationToken);
        }
        catch (ExecutorException)
        {
            (code, output) = (-1, string.Empty);
        }

        if (code == 0)
        {
            return ContainerUser.Parse(user, output, primary.Image);
        }

        var state = (await client.Containers.InspectContainerAsync(id, cancellationToken)).State;
        if (state?.Running != true)
        {
            var lines = await LastLinesAsync(client, id, cancellationToken);
            if (primary.Entrypoint is null && primary.Command is null && (state?.ExitCode == 127 || lines.Contains("/bin/sh", StringComparison.Ordinal)))
            {
                throw new ExecutorException($"The image '{primary.Image}' has no /bin/sh: the docker executor keeps the primary container alive and runs every step with a shell.");
            }

            throw new ExecutorException($"The primary container ({primary.Image}) exited with code {state?.ExitCode} as it started; its last lines:\n{lines}");
        }

        throw new ExecutorException($"The image '{primary.Image}' could not run a shell as user '{user}' (exit code {code}): {output.Trim()}");
    }

    /// <summary>
    /// Each local repository (<see cref="NodeSetup.ReadOnlyPaths"/>) as a bundle in the node's scratch folder: host path →
    /// the path the checkout clones from in the container. The container's user may not read the repository where it is
    /// (a folder of 0700), and git refuses a repository of another owner, but clones a bundle of anyone's.
    /// </summary>
    private static async Task<Dictionary<string, string>> BundleRepositoriesAsync(NodeSetup setup, ShellWorkspace workspace, CancellationToken cancellationToken)
    {
        var sources = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in setup.ReadOnlyPaths.Where(Directory.Exists).Take(1))
        {
            if (await Sandbox.RepositoryCopy.BundleAsync(path, workspace.Scratch, cancellationToken) is { } bundle)
            {
                sources[path] = DockerSettings.ScratchMount + "/" + Path.GetFileName(bundle);
            }
        }

        return sources;
    }

    private static async Task<string> LastLinesAsync(IDockerClient client, string id, CancellationToken cancellationToken)
    {
        using var logs = await client.Containers.GetContainerLogsAsync(id, new ContainerLogsParameters { ShowStdout = true, ShowStderr = true, Tail = "10" }, cancellationToken);
        var (stdout, stderr) = await logs.ReadOutputToEndAsync(cancellationToken);
        return string.Join("\n", (stdout + stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(10).Select(l => "  " + l.TrimEnd()));
    }

    private static async Task StartContainerAsync(IDockerClient client, string id, string image, CancellationToken cancellationToken)
    {
        try
        {
            await client.Containers.StartContainerAsync(id, new ContainerStartParameters(), cancellationToken);
        }
        catch (DockerApiException e)
        {
            var reason = DockerEngine.Reason(e);
            throw new ExecutorException(reason.Contains("/bin/sh", StringComparison.Ordinal) && reason.Contains("no such file", StringComparison.OrdinalIgnoreCase)
                ? $"The image '{image}' has no /bin/sh: the docker executor keeps the primary container alive and runs every step with a shell ({reason})."
                : $"The container of the image '{image}' could not start: {reason}");
        }
    }

    /// <summary>A service container that ended already (a bad config, a crash) fails the node, with its last words.</summary>
    private static async Task EnsureRunningAsync(IDockerClient client, string id, ContainerSpec spec, CancellationToken cancellationToken)
    {
        var state = (await client.Containers.InspectContainerAsync(id, cancellationToken)).State;
        if (state?.Running == true)
        {
            return;
        }

        var lines = await LastLinesAsync(client, id, cancellationToken);
        throw new ExecutorException(
            $"The service container '{spec.Name ?? spec.Image}' ({spec.Image}) exited with code {state?.ExitCode} as it started; its last lines:\n{lines}");
    }

    private static string FileOwnershipGroup(string path) =>
        (Processes.FileOwnership.OwnersOf(path, followLinks: true)?.Gid ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
