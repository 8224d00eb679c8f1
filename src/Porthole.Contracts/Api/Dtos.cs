using System.Text.Json.Serialization;

namespace Porthole.Contracts.Api;

// Wire shapes of Porthole's own API (/api/...). JSON is snake_case (see ApiJson).

public sealed record CreateProjectRequest(string Name, string Repository, string? Visibility);

/// <summary>
/// A project and its settings: <see cref="DebugEnabled"/>, <see cref="SshWriteMembers"/> and <see cref="DebugOpenAccess"/>
/// (SSH and debug), <see cref="RetryLostNodes"/> (a node whose runner was lost is retried once on another runner),
/// <see cref="SshPortForwarding"/> (an SSH node's writers may forward local ports to the node: VS Code, R-BEY-5),
/// <see cref="SessionRecording"/> (interactive sessions are recorded, R-BEY-2).
/// </summary>
public sealed record ProjectView(
    string Name,
    string Repository,
    string Visibility,
    DateTimeOffset CreatedAt,
    bool DebugEnabled = false,
    bool SshWriteMembers = false,
    bool DebugOpenAccess = false,
    bool RetryLostNodes = false,
    bool SshPortForwarding = false)
{
    /// <summary><c>hold_on_failure</c> (R-BEY-1): <c>off</c>, <c>ssh</c> or <c>write</c> (<see cref="HoldOnFailureModes"/>).</summary>
    public string HoldOnFailure { get; init; } = HoldOnFailureModes.Off;

    /// <summary><c>session_recording</c> (R-BEY-2): whether the project's SSH and debug sessions are recorded; on by default.</summary>
    public bool SessionRecording { get; init; } = true;
}

/// <summary>
/// Trigger a pipeline at a ref (branch or tag), at a <see cref="Tag"/> (<c>refs/tags/T</c>; not with a ref), or at a
/// commit; none of them means the repository's default branch. <see cref="Parameters"/> are CircleCI pipeline parameters
/// (§A0 step 2): a JSON object whose values are strings, booleans or numbers.
/// </summary>
public sealed record TriggerRequest(
    string? Ref,
    string? Commit,
    string? Tag = null,
    IReadOnlyDictionary<string, System.Text.Json.JsonElement>? Parameters = null)
{
    /// <summary>Hold a node whose step fails for SSH (R-BEY-1): the triggerer may enter it, whatever the project's <c>hold_on_failure</c>.</summary>
    public bool? HoldOnFailure { get; init; }
}

/// <summary>
/// A pipeline. <see cref="Branch"/> or <see cref="Tag"/> is what was built (both null for a bare commit);
/// <see cref="TriggerSource"/> is what started it (<c>api</c>, <c>webhook</c>, <c>schedule</c>), <see cref="ScheduleName"/>
/// the scheduled workflow when a schedule did; <see cref="Parameters"/> the pipeline parameters as bound and
/// <see cref="Orbs"/> the registry orbs used, each at its exact version.
/// </summary>
public sealed record PipelineView(
    long Id,
    string Project,
    int Number,
    string? Ref,
    string Commit,
    string Status,
    string ConfigPath,
    DateTimeOffset CreatedAt,
    IReadOnlyList<WorkflowView> Workflows,
    string? Branch = null,
    string? Tag = null,
    string TriggerSource = "api",
    string? ScheduleName = null,
    IReadOnlyList<Plans.PipelineParameter>? Parameters = null,
    IReadOnlyList<Plans.OrbUse>? Orbs = null);

public sealed record WorkflowView(long Id, string Name, string Status, IReadOnlyList<JobSummary> Jobs);

/// <summary>
/// A job as a pipeline lists it. An approval job (<see cref="Type"/> <c>approval</c>) has no nodes; its
/// <see cref="ApprovalRequestId"/> is what CircleCI's <c>POST /api/v2/workflow/{id}/approve/{approval_request_id}</c> takes
/// (here the job's own id), and once approved <see cref="ApprovedBy"/> and <see cref="ApprovedAt"/> say who and when.
/// A Travis job has its <see cref="Stage"/>, and <see cref="AllowFailure"/> when its failure does not count (§B9).
/// </summary>
public sealed record JobSummary(
    long Id,
    string Name,
    string Status,
    int Parallelism,
    IReadOnlyList<string> Requires,
    int Attempts,
    Plans.JobType Type = Plans.JobType.Build,
    long? ApprovalRequestId = null,
    string? ApprovedBy = null,
    DateTimeOffset? ApprovedAt = null,
    bool AllowFailure = false,
    string? Stage = null)
{
    /// <summary>Its nodes held for SSH after a failed step (R-BEY-1) that still wait: enter one with <c>porthole ssh JOB</c>.</summary>
    public IReadOnlyList<HeldNode>? Held { get; init; }
}

/// <summary>A node held for SSH after a failed step (R-BEY-1): its attempt and index, and when its wait ends unless extended (null: not known yet).</summary>
public sealed record HeldNode(int Attempt, int Node, DateTimeOffset? EndsAt);

/// <summary>
/// A job with its attempts, nodes and steps. <see cref="RunnerLabels"/>: what a runner needs to take it (issue 14);
/// <see cref="NoRunner"/>: while a node waits queued and no runner up can take it, why (else null).
/// </summary>
public sealed record JobView(
    long Id,
    string Name,
    string Status,
    long PipelineId,
    int PipelineNumber,
    string Project,
    long WorkflowId,
    string WorkflowName,
    int Parallelism,
    IReadOnlyList<string> Requires,
    IReadOnlyList<AttemptView> Attempts,
    Plans.JobType Type = Plans.JobType.Build,
    long? ApprovalRequestId = null,
    string? ApprovedBy = null,
    DateTimeOffset? ApprovedAt = null,
    bool AllowFailure = false,
    string? Stage = null,
    IReadOnlyList<string>? RunnerLabels = null,
    string? NoRunner = null);

public sealed record AttemptView(
    int Number,
    string Status,
    string Reason,
    bool Ssh,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    IReadOnlyList<NodeView> Nodes)
{
    /// <summary>A debug run (R-DBG-2): an SSH attempt whose nodes stop in a shared session.</summary>
    public bool Debug { get; init; }

    /// <summary>A debug run that stops before this step (its index in the job's steps, from 0) once the steps before it ran (R-BEY-4).</summary>
    public int? BreakBefore { get; init; }

    /// <summary>The name of the step <see cref="BreakBefore"/> is.</summary>
    public string? BreakBeforeStep { get; init; }

    /// <summary>A debug run that runs the steps and stops at the first that fails (R-BEY-4).</summary>
    public bool BreakOnFailure { get; init; }
}

public sealed record NodeView(int Index, string Status, string? Message, long LogLength, IReadOnlyList<StepView> Steps, SshNodeView? Ssh = null);

public sealed record StepView(
    int Index,
    string Name,
    string Status,
    int? ExitCode,
    long LogStart,
    long? LogEnd,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt,
    bool Background);

/// <summary>
/// Rerun a job (a new attempt), or with <see cref="FromFailed"/> every failed job of its workflow and what depends on them,
/// or with <see cref="Ssh"/> the job alone with an SSH endpoint per node (R-SSH-1).
/// </summary>
public sealed record RerunRequest(bool? FromFailed, bool? Ssh = null)
{
    /// <summary>With <see cref="Ssh"/>: run the steps up to this one (its index from 0, or its name), then stop there in a shared debug session (R-BEY-4).</summary>
    public string? BreakBefore { get; init; }

    /// <summary>With <see cref="Ssh"/>: run the steps, and stop in a shared debug session at the first that fails (R-BEY-4).</summary>
    public bool? BreakOnFailure { get; init; }
}

public sealed record RerunResponse(long WorkflowId, IReadOnlyList<JobAttemptRef> Jobs);

/// <summary>CircleCI's answer to a workflow's approve or cancel: <c>{"message": "Accepted."}</c>.</summary>
public sealed record CircleMessage(string Message);

public sealed record JobAttemptRef(long JobId, string Name, int Attempt);

public sealed record SetVariableRequest(string Value, bool? Secret);

public sealed record VariableView(string Name, bool Secret, string? Value);

public sealed record UserView(long Id, string Name, bool IsAdmin);

/// <summary>The stable error codes carried in ProblemDetails' <c>code</c> extension.</summary>
public static class ErrorCodes
{
    public const string Unauthorized = "unauthorized";
    public const string Forbidden = "forbidden";
    public const string NotFound = "not_found";
    public const string ProjectNotFound = "project_not_found";
    public const string PipelineNotFound = "pipeline_not_found";
    public const string JobNotFound = "job_not_found";
    public const string PipelineIdNotJobId = "pipeline_id_not_job_id";
    public const string WorkflowIdNotJobId = "workflow_id_not_job_id";
    public const string InvalidRequest = "invalid_request";
    public const string ProjectExists = "project_exists";
    public const string RepositoryUnreachable = "repository_unreachable";
    public const string RefNotFound = "ref_not_found";
    public const string ConfigNotFound = "config_not_found";
    public const string ConfigInvalid = "config_invalid";
    public const string JobNotFinished = "job_not_finished";
    public const string JobFinished = "job_finished";
    public const string NodeNotFound = "node_not_found";
    public const string InvalidKey = "invalid_key";
    public const string KeyTaken = "key_taken";
    public const string KeyImportFailed = "key_import_failed";
    public const string NoSshKey = "no_ssh_key";
    public const string DebugDisabled = "debug_unavailable";
    public const string NotSshAttempt = "not_ssh_attempt";
    public const string StepNotFound = "step_not_found";
    public const string StepAmbiguous = "step_ambiguous";
    public const string TokenNameTaken = "token_name_taken";
    public const string LastAdmin = "last_admin";
    public const string SshSessionNotFound = "ssh_session_not_found";
    public const string SshSessionEnded = "ssh_session_ended";
    public const string SshEndpointUnavailable = "ssh_endpoint_unavailable";
    public const string SshNotAllowed = "ssh_not_allowed";
    public const string OriginRefused = "origin_refused";
    public const string WebSocketRequired = "websocket_required";
    public const string TooManyTerminals = "too_many_terminals";
    public const string ApprovalNotFound = "approval_not_found";
    public const string ApprovalNotOnHold = "approval_not_on_hold";
}

public static class ApiJson
{
    public static System.Text.Json.JsonSerializerOptions Options => Plans.PlanJson.Options;
}

/// <summary>
/// A server-sent event of a live log: <c>event: log</c> carries the bytes stored from <see cref="Offset"/> up to
/// <see cref="Next"/> (resume a dropped stream with <c>offset=Next</c>); <c>event: end</c> carries the node's final status.
/// </summary>
public sealed record LogEvent(
    [property: JsonPropertyName("offset")] long Offset,
    [property: JsonPropertyName("next")] long Next,
    [property: JsonPropertyName("text")] string Text);

public sealed record LogEndEvent([property: JsonPropertyName("status")] string Status);
