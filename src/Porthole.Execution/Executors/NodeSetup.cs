using Porthole.Contracts.Plans;

namespace Porthole.Execution.Executors;

/// <summary>What an executor needs to prepare one node: its folder on the runner's host and what the job asked for.</summary>
public sealed record NodeSetup(string WorkspaceRoot, ExecutorSpec Executor);
