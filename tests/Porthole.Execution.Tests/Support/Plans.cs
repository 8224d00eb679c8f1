using Porthole.Contracts.Plans;
using Porthole.Contracts.Runners;

namespace Porthole.Execution.Tests.Support;

/// <summary>Plans and assignments as the Pipeline and the server hand them over, with test defaults.</summary>
internal static class Plans
{
    public const string Bash = "/bin/bash -eo pipefail";

    public static StepPlan Run(
        string name,
        string command,
        StepCondition when = StepCondition.OnSuccess,
        bool background = false,
        string? workingDirectory = null,
        TimeSpan? noOutputTimeout = null,
        IReadOnlyList<EnvironmentVariable>? environment = null,
        string shell = Bash,
        bool affectsResult = true,
        string? phase = null) =>
        new(StepKind.Run, name, command, shell, environment ?? [], workingDirectory, background, when, noOutputTimeout, affectsResult, phase);

    public static StepPlan Checkout(string? path = null) =>
        new(StepKind.Checkout, "Checkout code", null, Bash, [], path, false, StepCondition.OnSuccess, null);

    public static JobPlan Job(
        IReadOnlyList<StepPlan> steps,
        string? workingDirectory = null,
        IReadOnlyList<EnvironmentVariable>? environment = null,
        string name = "build") =>
        new(name, [], 1, new ExecutorSpec(ExecutorKind.Shell, null), workingDirectory, environment ?? [], steps);

    public static NodeAssignment Assignment(
        JobPlan job,
        ConfigDialect dialect = ConfigDialect.CircleCi,
        IReadOnlyList<ProjectVariable>? variables = null,
        string repositoryUrl = "/nonexistent/repository",
        string commitSha = "0123456789abcdef0123456789abcdef01234567",
        string? branch = "main",
        TimeSpan? jobTimeout = null,
        long logCapBytes = 100L * 1024 * 1024,
        string projectName = "acme/widget",
        int nodeIndex = 0,
        int nodeTotal = 1) =>
        new(
            NodeId: 5001,
            JobId: 248927957,
            Attempt: 1,
            JobNumber: 3,
            WorkflowId: 77,
            WorkflowName: "build-and-test",
            PipelineId: 248927956,
            PipelineNumber: 42,
            ProjectName: projectName,
            RepositoryUrl: repositoryUrl,
            CommitSha: commitSha,
            Branch: branch,
            NodeIndex: nodeIndex,
            NodeTotal: nodeTotal,
            Dialect: dialect,
            Job: job,
            Variables: variables ?? [],
            JobTimeout: jobTimeout ?? TimeSpan.FromHours(1),
            LogCapBytes: logCapBytes);
}
