using Docker.DotNet;
using Docker.DotNet.Models;
using Porthole.Contracts.Plans;
using ContainerSpec = Porthole.Contracts.Plans.ContainerSpec;
using Porthole.Contracts.Runners;
using Porthole.Execution.Docker;
using Porthole.Execution.Executors;
using Porthole.Execution.Shell;

namespace Porthole.Execution.Tests.Support;

/// <summary>
/// Runs nodes as a runner does, through the executor chooser with the real docker executor on this machine's engine
/// (and the shell executor beside it). Every node gets a tag of its own, by which the test lists what the engine holds.
/// </summary>
internal sealed class DockerHarness : IDisposable
{
    private readonly TempFolder _folder = new("porthole-docker-");
    private readonly DockerEngine _engine;

    public DockerHarness(DockerSettings? settings = null)
    {
        _engine = new DockerEngine(settings ?? new DockerSettings());
        var options = new ShellExecutorOptions { StopGrace = TimeSpan.FromSeconds(1) };
        Executor = new ExecutorChooser(
            new ShellExecutor(TimeProvider.System, options),
            new DockerExecutor(_engine, TimeProvider.System, options),
            _engine.Settings.RunOnShell);
    }

    public ExecutorChooser Executor { get; }

    public RecordingReporter Reporter { get; } = new();

    public string WorkspaceRoot => _folder.Combine("workspace");

    public string Tag { get; } = "docker-test/" + Guid.NewGuid().ToString("N");

    public IDockerClient Client => _engine.Client;

    public static JobPlan Job(IReadOnlyList<StepPlan> steps, params ContainerSpec[] images) =>
        Plans.Job(steps) with { Executor = new ExecutorSpec(ExecutorKind.Docker, images[0].Image) { Containers = images } };

    public Task<NodeCompletion> RunAsync(NodeAssignment assignment, CancellationToken cancellationToken = default, string? tag = null, string? workspace = null, RecordingReporter? reporter = null) =>
        new NodeRunner(TimeProvider.System, Executor).RunAsync(
            assignment,
            new NodeRunOptions(workspace ?? WorkspaceRoot, TimeSpan.FromMinutes(10)) { Tag = tag ?? Tag },
            reporter ?? Reporter,
            cancellationToken);

    /// <summary>The engine's containers labelled with a node's tag (by default this harness's), running or not.</summary>
    public async Task<IList<ContainerListResponse>> ContainersAsync(string? tag = null) =>
        await Client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{ContainerLabels.Node}={tag ?? Tag}"] = true } },
        });

    public async Task<IList<NetworkResponse>> NetworksAsync(string? tag = null) =>
        await Client.Networks.ListNetworksAsync(new NetworksListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{ContainerLabels.Node}={tag ?? Tag}"] = true } },
        });

    /// <summary>Asserts that the engine holds nothing of the node's.</summary>
    public async Task AssertNothingLeftAsync(string? tag = null)
    {
        Assert.Empty(await ContainersAsync(tag));
        Assert.Empty(await NetworksAsync(tag));
    }

    public void Dispose()
    {
        // A failed test must not leave containers either.
        NodeContainers.RemoveTaggedAsync(Client, Tag, TimeProvider.System, TimeSpan.FromSeconds(5)).GetAwaiter().GetResult();
        _engine.Dispose();
        _folder.Dispose();
    }
}
