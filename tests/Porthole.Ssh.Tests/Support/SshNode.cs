using System.Globalization;
using System.Text;
using Porthole.Contracts.Plans;
using Porthole.Contracts.Runners;
using Porthole.Contracts.Ssh;
using Porthole.Execution.Docker;
using Porthole.Execution.Executors;
using Porthole.Execution.Sections;
using Porthole.Execution.Shell;
using Porthole.Ssh.Endpoints;

namespace Porthole.Ssh.Tests.Support;

/// <summary>
/// A node on the real shell executor with an SSH endpoint on it, as the runner would make it: a temporary workspace,
/// a job environment (with a BASH_ENV the "steps" wrote to), a host key, and client keys made by ssh-keygen.
/// </summary>
internal sealed class SshNode : IAsyncDisposable
{
    public const string JobName = "build";

    private readonly StringBuilder _enableText = new();
    private readonly StringBuilder _waitText = new();
    private readonly StringBuilder _debugText = new();
    private readonly Lock _textGate = new();
    private bool _bashEnvWritten;

    private SshNode(TempFolder folder, IExecutorNode node, ClientKey alice, ClientKey stranger, ClientKey bob)
    {
        Folder = folder;
        Node = node;
        Alice = alice;
        Stranger = stranger;
        Bob = bob;
    }

    public TempFolder Folder { get; }

    /// <summary>The engine of a docker node's test; null for the shell executor.</summary>
    public DockerEngine? Engine { get; private init; }

    /// <summary>The docker node's tag, which labels its containers; null for the shell executor.</summary>
    public string? DockerTag { get; private init; }

    public IExecutorNode Node { get; }

    /// <summary>The key granted on the node (alice's).</summary>
    public ClientKey Alice { get; }

    /// <summary>A key nobody granted.</summary>
    public ClientKey Stranger { get; }

    /// <summary>Bob's key: granted read-only when the node is made with <c>readOnlyBob</c> (R-DBG-7), not granted otherwise.</summary>
    public ClientKey Bob { get; }

    public RecordingSink Sink { get; } = new();

    public Programs Programs { get; } = new();

    public NodeSshEndpoint Endpoint { get; private set; } = null!;

    public NodeAssignment Assignment { get; private set; } = null!;

    public string WorkingDirectory { get; private set; } = string.Empty;

    public string HostKeyPath => Folder.Combine("runner", "ssh_host_ed25519_key");

    public string KnownHostsPath => Folder.Combine("known_hosts");

    /// <summary>A folder outside the node where sessions can leave evidence for the test (pid files, files to copy).</summary>
    public string Evidence => Folder.Combine("evidence");

    public SshEndpointInfo Info => Endpoint.Info ?? throw new InvalidOperationException("SSH is not enabled.");

    public string EnableText
    {
        get
        {
            lock (_textGate)
            {
                return _enableText.ToString();
            }
        }
    }

    /// <summary>Waits until <paramref name="count"/> terminals are attached to the debug session (tmux list-clients; the recorder's control client is not one).</summary>
    public async Task WaitForDebugClientsAsync(int count)
    {
        var clients = 0;
        var started = TimeProvider.System.GetTimestamp();
        while (clients < count)
        {
            if (TimeProvider.System.GetElapsedTime(started) > TimeSpan.FromSeconds(15))
            {
                throw new TimeoutException($"Waited for {count} attached clients; {clients} are.\n{DebugText}");
            }

            var list = await TmuxAsync("list-clients", "-t", "debug", "-F", "#{client_control_mode}");
            clients = list.ExitCode == 0 ? list.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(mode => mode == "0") : 0;
            await Task.Delay(50);
        }
    }

    public string DebugText
    {
        get
        {
            lock (_textGate)
            {
                return _debugText.ToString();
            }
        }
    }

    public string WaitText
    {
        get
        {
            lock (_textGate)
            {
                return _waitText.ToString();
            }
        }
    }

    public static async Task<SshNode> CreateAsync(
        TimeProvider? endpointTime = null,
        TimeSpan? firstConnectionTimeout = null,
        TimeSpan? maxSessionTime = null,
        Func<SshOptions, SshOptions>? configure = null,
        DebugRequest? debug = null,
        IReadOnlyList<StepPlan>? steps = null,
        bool readOnlyBob = false,
        IReadOnlyList<ProjectVariable>? variables = null,
        Porthole.Contracts.Plans.ContainerSpec? container = null,
        TimeSpan? grace = null,
        TimeSpan? extendCap = null,
        bool portForwarding = false,
        bool record = false)
    {
        var folder = new TempFolder();
        try
        {
            Directory.CreateDirectory(folder.Combine("keys"));
            Directory.CreateDirectory(folder.Combine("evidence"));
            var alice = await ClientKey.CreateAsync(folder.Combine("keys"), "alice", "ed25519");
            var stranger = await ClientKey.CreateAsync(folder.Combine("keys"), "stranger", "ed25519");
            var bob = await ClientKey.CreateAsync(folder.Combine("keys"), "bob", "ed25519");
            var options = new ShellExecutorOptions { StopGrace = TimeSpan.FromSeconds(1) };
            var executor = new ShellExecutor(TimeProvider.System, options);
            DockerEngine? engine = null;
            string? tag = null;
            IExecutorNode node;
            if (container is null)
            {
                node = await executor.SetupAsync(new NodeSetup(folder.Combine("workspace"), new ExecutorSpec(ExecutorKind.Shell, null)), CancellationToken.None);
            }
            else
            {
                // A docker node as the runner makes one for an SSH rerun: its containers, and a sandbox on the host beside them for sshd.
                engine = new DockerEngine(new DockerSettings());
                var docker = new DockerExecutor(engine, TimeProvider.System, options, executor);
                var spec = new ExecutorSpec(ExecutorKind.Docker, container.Image) { Containers = [container] };
                tag = "ssh-test/" + Guid.NewGuid().ToString("N");
                node = await docker.SetupAsync(new NodeSetup(folder.Combine("workspace"), spec) { HostSide = true, Tag = tag }, CancellationToken.None);
            }

            var sshNode = new SshNode(folder, node, alice, stranger, bob) { Engine = engine, DockerTag = tag };
            sshNode.Assignment = MakeAssignment(new SshRequest(
                "alice",
                readOnlyBob ? [sshNode.Grant("alice", alice), sshNode.Grant("bob", bob, readOnly: true)] : [sshNode.Grant("alice", alice)],
                firstConnectionTimeout ?? TimeSpan.FromMinutes(10),
                maxSessionTime ?? TimeSpan.FromHours(2))
            {
                GracePeriod = grace ?? TimeSpan.Zero,
                ExtendCap = extendCap ?? TimeSpan.Zero,
                PortForwarding = portForwarding,
                Record = record,
            },
                debug,
                steps ?? [],
                variables ?? []);
            sshNode.Endpoint = new NodeSshEndpoint(
                sshNode.Assignment,
                (configure ?? (o => o))(new SshOptions { HostKeyPath = sshNode.HostKeyPath }),
                sshNode.Sink,
                endpointTime ?? TimeProvider.System);
            return sshNode;
        }
        catch
        {
            folder.Dispose();
            throw;
        }
    }

    public SshGrant Grant(string user, ClientKey key, bool readOnly = false) => new(1, user, key.Fingerprint, key.PublicLine, readOnly);

    public async Task<NodeSectionResult> EnableAsync(CancellationToken canceled = default)
    {
        var context = await ContextAsync(_enableText);
        var result = await Endpoint.EnableSsh.RunAsync(context, canceled);
        if (Endpoint.Info is { } info)
        {
            await File.WriteAllTextAsync(KnownHostsPath, $"[{info.Host}]:{info.Port.ToString(CultureInfo.InvariantCulture)} {info.HostKey}\n");
        }

        return result;
    }

    /// <summary>Runs the Debug section (it ends with the session); <see cref="WaitForDebugAsync"/> tells when it can be joined.</summary>
    public async Task<NodeSectionResult> DebugAsync(CancellationToken canceled = default) =>
        await Endpoint.Debug.RunAsync(await ContextAsync(_debugText), canceled);

    /// <summary>
    /// Waits until the debug session is ready (the endpoint was reported and the section has printed how to join it: it
    /// prints that after the report), and pins its host key.
    /// </summary>
    public async Task WaitForDebugAsync(Task section)
    {
        await Wait.UntilAsync(() => Sink.Ready.Count > 0 || section.IsCompleted, "the debug session to be ready");
        Assert.True(Sink.Ready.Count > 0, DebugText);
        await Wait.UntilAsync(
            () => DebugText.Contains("starts another debug build of this job.)\n", StringComparison.Ordinal) || section.IsCompleted,
            "the debug section to print how to join the session");
        await File.WriteAllTextAsync(KnownHostsPath, $"[{Info.Host}]:{Info.Port.ToString(CultureInfo.InvariantCulture)} {Info.HostKey}\n");
    }

    /// <summary>Runs a tmux command against the debug session's server.</summary>
    public Task<ProgramResult> TmuxAsync(params string[] arguments) =>
        Programs.RunAsync("tmux", ["-S", Endpoint.DebugSocketPath ?? throw new InvalidOperationException("No debug session."), .. arguments]);

    public async Task<NodeSectionResult> WaitAsync(CancellationToken canceled = default) =>
        await Endpoint.WaitForSsh.RunAsync(await ContextAsync(_waitText), canceled);

    public string[] SshArguments(ClientKey key, params string[] command) =>
    [
        "-F", "/dev/null",
        "-p", Info.Port.ToString(CultureInfo.InvariantCulture),
        .. ClientOptions(key),
        $"{Info.User}@{Info.Host}",
        .. command.Length == 0 ? Array.Empty<string>() : ["--", .. command],
    ];

    /// <summary>The client options every test uses: this key only, and the host key pinned (never trusted blindly).</summary>
    public string[] ClientOptions(ClientKey key) =>
    [
        "-i", key.PrivatePath,
        "-o", "IdentitiesOnly=yes",
        "-o", "IdentityAgent=none",
        "-o", $"UserKnownHostsFile={KnownHostsPath}",
        "-o", "GlobalKnownHostsFile=/dev/null",
        "-o", "StrictHostKeyChecking=yes",
        "-o", "BatchMode=yes",
        "-o", "LogLevel=ERROR",
    ];

    public Task<ProgramResult> SshAsync(ClientKey key, params string[] command) => Programs.RunAsync("ssh", SshArguments(key, command));

    public RunningProgram StartSsh(ClientKey key, params string[] command) => Programs.Start("ssh", SshArguments(key, command));

    public async ValueTask DisposeAsync()
    {
        await Endpoint.DisposeAsync();
        await Node.DestroyAsync();
        Engine?.Dispose();
        Programs.Dispose();
        Folder.Dispose();
    }

    private async Task<NodeSectionContext> ContextAsync(StringBuilder text)
    {
        WorkingDirectory = Path.Combine(Node.HomeDirectory, "project");
        await Node.CreateDirectoryAsync(WorkingDirectory, CancellationToken.None);
        var bashEnv = Path.Combine(Node.ScratchDirectory, "bash_env");
        if (!_bashEnvWritten)
        {
            await Node.WriteScratchFileAsync("bash_env", "export FROM_STEPS=yes\nexport PATH=\"$PATH:/opt/from-steps\"\n", CancellationToken.None);
            _bashEnvWritten = true;
        }

        var environment = new Dictionary<string, string>(Node.BaseEnvironment, StringComparer.Ordinal)
        {
            ["CI"] = "true",
            ["CIRCLE_JOB"] = JobName,
            ["CIRCLE_BUILD_NUM"] = Assignment.JobId.ToString(CultureInfo.InvariantCulture),
            ["CIRCLE_WORKING_DIRECTORY"] = "~/project",
            ["BASH_ENV"] = bashEnv,
            ["SECRET_TOKEN"] = "it's a \"secret\" $HOME `x`",
        };
        foreach (var variable in Assignment.Variables)
        {
            // As the runner's context has them: the project's variables are the job's environment.
            environment[variable.Name] = variable.Value;
        }

        return new NodeSectionContext(
            Node,
            WorkingDirectory,
            environment,
            bashEnv,
            jobFailed: false,
            write: s =>
            {
                lock (_textGate)
                {
                    text.Append(s);
                }

                return ValueTask.CompletedTask;
            });
    }

    private static NodeAssignment MakeAssignment(SshRequest ssh, DebugRequest? debug, IReadOnlyList<StepPlan> steps, IReadOnlyList<ProjectVariable> variables) =>
        new(
            NodeId: 5001,
            JobId: 248927957,
            Attempt: 2,
            JobNumber: 3,
            WorkflowId: 77,
            WorkflowName: "build-and-test",
            PipelineId: 248927956,
            PipelineNumber: 42,
            ProjectName: "acme/widget",
            RepositoryUrl: "/nonexistent/repository",
            CommitSha: "0123456789abcdef0123456789abcdef01234567",
            Branch: "main",
            NodeIndex: 0,
            NodeTotal: 1,
            Dialect: ConfigDialect.CircleCi,
            Job: new JobPlan(JobName, [], 1, new ExecutorSpec(ExecutorKind.Shell, null), "~/project", [], steps),
            Variables: variables,
            JobTimeout: TimeSpan.FromHours(1),
            LogCapBytes: 100L * 1024 * 1024,
            Ssh: ssh,
            Debug: debug);
}
