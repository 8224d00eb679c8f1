namespace Porthole.Contracts.Plans;

/// <summary>The dialect a config was written in; it decides the built-in environment and the status vocabulary.</summary>
public enum ConfigDialect
{
    CircleCi,
    Travis,
}

/// <summary>What a config file asks for, once parsed: workflows of jobs, each job a list of steps.</summary>
public sealed record PipelinePlan(
    ConfigDialect Dialect,
    string ConfigPath,
    IReadOnlyList<WorkflowPlan> Workflows);

public sealed record WorkflowPlan(
    string Name,
    IReadOnlyList<JobPlan> Jobs);

/// <summary>
/// One job of a workflow. <see cref="Name"/> is unique within its workflow and is what
/// <see cref="Requires"/> refers to. <see cref="Parallelism"/> nodes run the same steps.
/// </summary>
public sealed record JobPlan(
    string Name,
    IReadOnlyList<string> Requires,
    int Parallelism,
    ExecutorSpec Executor,
    string? WorkingDirectory,
    IReadOnlyList<EnvironmentVariable> Environment,
    IReadOnlyList<StepPlan> Steps);

/// <summary>An environment variable in the order the config gave it (later entries win).</summary>
public sealed record EnvironmentVariable(string Name, string Value);

public enum ExecutorKind
{
    Shell,
    Docker,
    Machine,
}

/// <summary>Where a job asks to run. Everything runs on the shell executor for now; the image is kept for the docker executor.</summary>
public sealed record ExecutorSpec(ExecutorKind Kind, string? Image);

public enum StepKind
{
    /// <summary>Clone the project at the pipeline's commit into the working directory.</summary>
    Checkout,

    /// <summary>Run <see cref="StepPlan.Command"/> with <see cref="StepPlan.Shell"/>.</summary>
    Run,
}

/// <summary>When a step runs, given the job's result so far (CircleCI's <c>when</c>).</summary>
public enum StepCondition
{
    OnSuccess,
    OnFail,
    Always,
}

/// <summary>
/// One step of a job. <see cref="Shell"/> is the full interpreter line (e.g. <c>/bin/bash -eo pipefail</c>);
/// the command is written to a file and that file is passed as the last argument.
/// When <see cref="AffectsResult"/> is false a failure of this step is logged but does not fail the job
/// (Travis's after_* phases). <see cref="Phase"/> is the Travis phase name, null for CircleCI steps.
/// </summary>
public sealed record StepPlan(
    StepKind Kind,
    string Name,
    string? Command,
    string Shell,
    IReadOnlyList<EnvironmentVariable> Environment,
    string? WorkingDirectory,
    bool Background,
    StepCondition When,
    TimeSpan? NoOutputTimeout,
    bool AffectsResult = true,
    string? Phase = null);
