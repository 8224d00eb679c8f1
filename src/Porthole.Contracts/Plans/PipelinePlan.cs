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

    /// <summary>CircleCI's <c>macos:</c>: planned, but no runner here serves it (the node ends infrastructure_fail).</summary>
    MacOs,

    /// <summary>A Windows machine image (CircleCI's windows orb): planned, but no runner here serves it.</summary>
    Windows,
}

/// <summary>
/// Where a job asks to run. <see cref="Image"/> is the primary image (docker) or the machine image; for docker,
/// <see cref="Containers"/> holds the primary container first and the service containers after it.
/// </summary>
public sealed record ExecutorSpec(ExecutorKind Kind, string? Image)
{
    /// <summary>The <c>docker:</c> list in order: the first is the primary container, where the steps run.</summary>
    public IReadOnlyList<ContainerSpec> Containers { get; init; } = [];

    /// <summary>What the config asked for in its own words (<c>macos xcode 15.4.0</c>), for a runner's refusal; null when <see cref="Kind"/> says it.</summary>
    public string? Description { get; init; }
}

/// <summary>
/// One image of a <c>docker:</c> list (CircleCI's per-image keys). <see cref="Entrypoint"/> and <see cref="Command"/>
/// null: the image's own, except for the primary container, which is kept alive instead (as CircleCI does).
/// </summary>
public sealed record ContainerSpec(string Image)
{
    /// <summary>The host name the other containers reach it by (besides <c>localhost</c>).</summary>
    public string? Name { get; init; }

    public IReadOnlyList<string>? Entrypoint { get; init; }

    public IReadOnlyList<string>? Command { get; init; }

    /// <summary>The user the container's processes (for the primary: every step and SSH session) run as; null: the image's.</summary>
    public string? User { get; init; }

    /// <summary>The container's own environment (for the primary, the steps see it too, under the job's).</summary>
    public IReadOnlyList<EnvironmentVariable> Environment { get; init; } = [];

    /// <summary>Credentials for the pull; each may be a <c>$VAR</c> of the project's variables, resolved on the runner.</summary>
    public RegistryAuth? Auth { get; init; }
}

/// <summary>A registry login for one image's pull. Never logged or printed.</summary>
public sealed record RegistryAuth(string Username, string Password)
{
    public override string ToString() => $"RegistryAuth {{ Username = {Username}, Password = *** }}";
}

public enum StepKind
{
    /// <summary>Clone the project at the pipeline's commit into the working directory.</summary>
    Checkout,

    /// <summary>Run <see cref="StepPlan.Command"/> with <see cref="StepPlan.Shell"/>.</summary>
    Run,

    /// <summary>CircleCI's <c>setup_remote_docker</c>: give the primary container a Docker engine (<c>DOCKER_HOST</c>).</summary>
    SetupRemoteDocker,
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
