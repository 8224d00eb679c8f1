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
    IReadOnlyList<WorkflowPlan> Workflows)
{
    /// <summary>The registry orbs the config imported, each at the exact version used (CircleCI 2.1).</summary>
    public IReadOnlyList<OrbUse> Orbs { get; init; } = [];

    /// <summary>The pipeline parameters as bound for this pipeline: declared defaults overridden by the trigger's values.</summary>
    public IReadOnlyList<PipelineParameter> Parameters { get; init; } = [];
}

/// <summary>An <c>orbs:</c> entry: <see cref="Alias"/> imported <see cref="Reference"/> as written, resolved to <see cref="Version"/>.</summary>
public sealed record OrbUse(string Alias, string Reference, string Version);

/// <summary>A pipeline parameter's bound value, as text (booleans <c>true</c>/<c>false</c>).</summary>
public sealed record PipelineParameter(string Name, string Value);

/// <summary>What a job is: one that runs steps, or CircleCI's <c>type: approval</c> that waits for a person.</summary>
public enum JobType
{
    Build,

    /// <summary>No steps and no nodes: the workflow waits here until a member with write access approves it.</summary>
    Approval,
}

public sealed record WorkflowPlan(
    string Name,
    IReadOnlyList<JobPlan> Jobs)
{
    /// <summary>
    /// Travis's <c>fast_finish</c> (§B9): the workflow's result is decided once the jobs not allowed to fail are done;
    /// the others keep running.
    /// </summary>
    public bool FastFinish { get; init; }
}

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
    IReadOnlyList<StepPlan> Steps)
{
    public JobType Type { get; init; } = JobType.Build;

    /// <summary>CircleCI contexts: named sets of variables and secrets the job gets, if the pipeline may use them.</summary>
    public IReadOnlyList<string> Contexts { get; init; } = [];

    /// <summary>CircleCI's <c>resource_class</c> as written; a runner label when runners have labels (null: none asked).</summary>
    public string? ResourceClass { get; init; }

    /// <summary>
    /// Travis's <c>allow_failures</c> (§B9): the job's failure neither fails its workflow nor stops the jobs that require
    /// it (a later stage's).
    /// </summary>
    public bool AllowFailure { get; init; }

    /// <summary>Travis's build stage (§B10) the job belongs to; null outside Travis.</summary>
    public string? Stage { get; init; }

    /// <summary>
    /// Travis's <c>secure:</c> env entries (§B12), global ones first, then the job's, in the order Travis exports them.
    /// The server decrypts them with the project's key when a node is leased; each becomes secret variables.
    /// </summary>
    public IReadOnlyList<SecureValuePlan> SecureEnvironment { get; init; } = [];

    /// <summary>Travis's <c>os</c> and <c>dist</c> (<c>TRAVIS_OS_NAME</c>, <c>TRAVIS_DIST</c>); null outside Travis.</summary>
    public TravisPlatform? Platform { get; init; }
}

/// <summary>The system a Travis job asked for (§B0, §B12): <c>os</c> (linux, osx, windows) and <c>dist</c> or <c>osx_image</c>.</summary>
public sealed record TravisPlatform(string Os, string? Dist);

/// <summary>
/// A Travis <c>{secure: "…"}</c> env entry: <see cref="Ciphertext"/> as written (base64, white space allowed in it), which
/// decrypts to <c>NAME=value</c> words; <see cref="Line"/> and <see cref="Column"/> (1-based) say where the config has it.
/// Never logged: a message names the entry by its place.
/// </summary>
public sealed record SecureValuePlan(string Ciphertext, int Line, int Column)
{
    public override string ToString() => $"SecureValuePlan {{ Line = {Line}, Column = {Column} }}";
}

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

    /// <summary>
    /// For a Travis job: the language version or service this image was chosen for, which a runner's or project's image
    /// table may map to another image; null for an image the config names itself.
    /// </summary>
    public ImageChoice? Choice { get; init; }
}

/// <summary>
/// What a Travis job asked to run in, in Travis's words (<c>node_js 18</c>, <c>redis</c>, <c>postgresql 9.6</c>), and
/// the default image for it. <see cref="Unavailable"/> says why there is no default (a nightly build, HHVM, …): then the
/// container's image is empty and only an image table entry serves it.
/// </summary>
/// <param name="Kind">Language or service.</param>
/// <param name="Name">travis-build's language name (ruby, node_js, …) or the service's name (redis, postgresql, …).</param>
/// <param name="Version">The version as written; null when the config names none.</param>
public sealed record ImageChoice(ImageChoiceKind Kind, string Name, string? Version)
{
    public string? Unavailable { get; init; }

    /// <summary>The choice as a table key and in messages: the name, then the version when there is one.</summary>
    public override string ToString() => Version is null ? Name : $"{Name} {Version}";
}

public enum ImageChoiceKind
{
    Language,
    Service,
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

    /// <summary>Archive <see cref="StepPlan.SaveCache"/>'s paths under its key (CircleCI <c>save_cache</c>, Travis's cache upload).</summary>
    SaveCache,

    /// <summary>Put back the archive of the first of <see cref="StepPlan.RestoreCache"/>'s keys that matches.</summary>
    RestoreCache,

    /// <summary>Add a layer to the workflow's workspace (<see cref="StepPlan.PersistToWorkspace"/>).</summary>
    PersistToWorkspace,

    /// <summary>Apply the layers the job's ancestors persisted (<see cref="StepPlan.AttachWorkspace"/>).</summary>
    AttachWorkspace,

    /// <summary>Upload files or a folder as the job's artifacts (<see cref="StepPlan.StoreArtifacts"/>).</summary>
    StoreArtifacts,

    /// <summary>Read JUnit XML files and record the job's test results (<see cref="StepPlan.StoreTestResults"/>).</summary>
    StoreTestResults,

    /// <summary>Install the project's additional SSH keys in <c>~/.ssh</c> (<see cref="StepPlan.AddSshKeys"/>).</summary>
    AddSshKeys,
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
    string? Phase = null)
{
    /// <summary>
    /// CircleCI's legacy <c>deploy</c> step (a <see cref="StepKind.Run"/>): with parallelism it runs on node 0 only,
    /// after every node has finished its other steps successfully.
    /// </summary>
    public bool IsDeploy { get; init; }

    /// <summary>
    /// Runs as root in the job's container, whatever user the other steps run as (Travis's <c>addons.apt</c> installs
    /// packages so, before before_install). A runner that runs jobs on its own system refuses such a step: it never runs
    /// it as the job's account, nor as the host's root.
    /// </summary>
    public bool AsRoot { get; init; }

    /// <summary>Set exactly when <see cref="Kind"/> is <see cref="StepKind.AddSshKeys"/>.</summary>
    public AddSshKeysPlan? AddSshKeys { get; init; }

    /// <summary>How a <see cref="StepKind.Checkout"/> clones (Travis's <c>git:</c> settings); null: a full clone, as CircleCI's.</summary>
    public CheckoutPlan? Checkout { get; init; }

    /// <summary>Set exactly when <see cref="Kind"/> is <see cref="StepKind.SaveCache"/>.</summary>
    public SaveCachePlan? SaveCache { get; init; }

    /// <summary>Set exactly when <see cref="Kind"/> is <see cref="StepKind.RestoreCache"/>.</summary>
    public RestoreCachePlan? RestoreCache { get; init; }

    /// <summary>Set exactly when <see cref="Kind"/> is <see cref="StepKind.PersistToWorkspace"/>.</summary>
    public PersistToWorkspacePlan? PersistToWorkspace { get; init; }

    /// <summary>Set exactly when <see cref="Kind"/> is <see cref="StepKind.AttachWorkspace"/>.</summary>
    public AttachWorkspacePlan? AttachWorkspace { get; init; }

    /// <summary>Set exactly when <see cref="Kind"/> is <see cref="StepKind.StoreArtifacts"/>.</summary>
    public StoreArtifactsPlan? StoreArtifacts { get; init; }

    /// <summary>Set exactly when <see cref="Kind"/> is <see cref="StepKind.StoreTestResults"/>.</summary>
    public StoreTestResultsPlan? StoreTestResults { get; init; }
}

/// <summary>
/// Travis's <c>git:</c> settings (§B12): a clone of <see cref="Depth"/> commits (null: in full), the submodules updated
/// when the repository has any, git's progress kept quiet.
/// </summary>
public sealed record CheckoutPlan(int? Depth, bool Submodules, bool Quiet);

/// <summary>
/// A cache save. <see cref="Key"/> is a template (Go text/template: <c>{{ .Branch }}</c>, <c>{{ checksum "f" }}</c>…)
/// rendered on the node; <see cref="Paths"/> are files or folders (<c>~</c> allowed; relative to the step's directory),
/// archived with their absolute paths. CircleCI's caches are immutable (a key that exists is left alone); Travis's are
/// <see cref="Replace"/>d by every build.
/// </summary>
public sealed record SaveCachePlan(string Key, IReadOnlyList<string> Paths)
{
    public bool Replace { get; init; }
}

/// <summary>
/// A cache restore: each of <see cref="Keys"/> in order (templates, as for a save) is matched as a prefix of the stored
/// keys, the most recently saved match winning; the first key with a match wins. <see cref="Exact"/>: a key matches only
/// itself (Travis's branch, then default branch, caches).
/// </summary>
public sealed record RestoreCachePlan(IReadOnlyList<string> Keys)
{
    public bool Exact { get; init; }
}

/// <summary><see cref="Paths"/> (Go <c>filepath.Match</c> globs or plain paths) relative to <see cref="Root"/>, which is absolute or relative to the job's working directory.</summary>
public sealed record PersistToWorkspacePlan(string Root, IReadOnlyList<string> Paths);

/// <summary>The folder the workspace's layers are applied in (absolute, <c>~</c>, or relative to the job's working directory).</summary>
public sealed record AttachWorkspacePlan(string At);

/// <summary>A file or folder to upload; <see cref="Destination"/> prefixes the artifacts' paths (null: the path as given, without a leading <c>/</c> or <c>~/</c>).</summary>
public sealed record StoreArtifactsPlan(string Path, string? Destination);

/// <summary>A JUnit XML file or a folder of them (searched recursively for <c>*.xml</c>).</summary>
public sealed record StoreTestResultsPlan(string Path);

/// <summary>
/// The project's additional SSH keys to install: those whose fingerprint (MD5 <c>aa:bb:…</c> or <c>SHA256:…</c>) is in
/// <see cref="Fingerprints"/>, or all of them when it is empty.
/// </summary>
public sealed record AddSshKeysPlan(IReadOnlyList<string> Fingerprints);
