using Porthole.Contracts.Api;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests;

/// <summary>
/// A CircleCI 2.1 config that uses the reuse features (dialects.md §A0–A3) run for real on the shell executor: what runs
/// is what the compiler made of it, and the legacy deploy step runs on node 0 after every node (§A5).
/// </summary>
public sealed class CircleCiCompiledPipelineTests : IAsyncLifetime
{
    private const string Config = """
        version: 2.1
        parameters:
          greeting: {type: string, default: hello}
        commands:
          say:
            parameters:
              what: {type: string}
            steps:
              - run: echo "said << parameters.what >>"
        executors:
          here:
            machine: true
            environment:
              FROM_EXECUTOR: executor-value
        jobs:
          greet:
            parameters:
              who: {type: string}
            executor: here
            resource_class: large
            steps:
              - say: {what: "<< pipeline.parameters.greeting >> << parameters.who >>"}
              - run: echo "env=$FROM_EXECUTOR branch=<< pipeline.git.branch >>"
          ship:
            machine: true
            parallelism: 3
            steps:
              - run: echo "built on node $CIRCLE_NODE_INDEX"; sleep 0.$CIRCLE_NODE_INDEX
              - deploy:
                  name: Deploy
                  command: echo "deployed from node $CIRCLE_NODE_INDEX"
        workflows:
          main:
            jobs:
              - greet: {who: alice}
              - greet: {who: bob}
              - ship: {requires: [greet-1, greet-2]}
        """;

    private readonly TempFolder _data = new();
    private GitRepository _repository = null!;
    private RunningServer _server = null!;

    public async Task InitializeAsync()
    {
        _repository = GitRepository.WithFiles((".circleci/config.yml", Config));
        _server = await RunningServer.StartAsync(_data.Path);
        await _server.AddProjectAsync("app", _repository.Path);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _repository.Dispose();
        _data.Dispose();
    }

    [Fact]
    public async Task The_compiled_jobs_run_and_the_deploy_step_runs_once_on_node_0_after_the_others()
    {
        var triggered = await _server.TriggerAsync("app", "main");
        var pipeline = await _server.WaitForPipelineAsync(triggered.Id);

        Assert.Equal(Status.Success, pipeline.Status);
        var jobs = pipeline.Workflows.Single().Jobs.ToDictionary(j => j.Name);
        Assert.Equal(["greet-1", "greet-2", "ship"], jobs.Keys);

        var alice = await _server.LogAsync(jobs["greet-1"].Id);
        Assert.Contains("said hello alice", alice);
        Assert.Contains("env=executor-value branch=main", alice);
        Assert.Contains("resource_class large is ignored", alice);
        Assert.Contains("said hello bob", await _server.LogAsync(jobs["greet-2"].Id));

        var ship = await _server.JobAsync(jobs["ship"].Id);
        var nodes = ship.Attempts.Single().Nodes;
        Assert.Contains("deployed from node 0", await _server.LogAsync(ship.Id, node: 0));
        for (var node = 1; node < 3; node++)
        {
            var log = await _server.LogAsync(ship.Id, node: node);
            Assert.DoesNotContain("deployed from", log);
            Assert.Contains("A deploy step runs on node 0 only", log);
            Assert.Equal("skipped", nodes[node].Steps[^1].Status);
        }

        // Node 0's deploy step started only after the other nodes had finished.
        var deployStart = nodes[0].Steps[^1].StartedAt;
        Assert.All(nodes.Skip(1), node => Assert.All(node.Steps, step => Assert.True(step.FinishedAt <= deployStart, $"{step.Name} of node {node.Index}")));
    }
}
