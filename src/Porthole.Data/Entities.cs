namespace Porthole.Data;

public sealed class User
{
    public long Id { get; set; }
    public required string Name { get; set; }
    public bool IsAdmin { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A personal API token; only its SHA-256 is stored.</summary>
public sealed class ApiToken
{
    public long Id { get; set; }
    public long UserId { get; set; }
    public required string Hash { get; set; }
    public required string Name { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When a request last signed in with it, to the minute (<see cref="Accounts.TokenAuthenticationHandler.LastUsedResolution"/>).</summary>
    public DateTimeOffset? LastUsedAt { get; set; }
}

public sealed class Project
{
    public long Id { get; set; }
    public required string Name { get; set; }
    public required string Repository { get; set; }
    public required string Visibility { get; set; }

    /// <summary>Whether jobs may be rerun with SSH or debugged (R-AC-3): on for private projects, off for public ones.</summary>
    public bool DebugEnabled { get; set; }

    /// <summary>Whether an SSH node also accepts the keys of the project's other write members, not only the requester's.</summary>
    public bool SshWriteMembers { get; set; }

    /// <summary>
    /// <c>ssh_port_forwarding</c> (R-BEY-5): an SSH node's writers may forward local ports to the node itself (<c>ssh -L</c>,
    /// VS Code Remote-SSH), nowhere else. Off by default.
    /// </summary>
    public bool SshPortForwarding { get; set; }

    /// <summary>
    /// <c>session_recording</c> (R-BEY-2): every interactive SSH or debug session of the project's nodes is recorded
    /// (asciicast v2, the job's secrets masked) and kept with the job's data. On by default.
    /// </summary>
    public bool SessionRecording { get; set; } = true;

    /// <summary>
    /// Travis's "anyone with the ssh command gets in", opt-in (R-DBG-7): a debug run then accepts any key that comes
    /// with the run's token. Off by default: key-based access as for SSH reruns.
    /// </summary>
    public bool DebugOpenAccess { get; set; }

    /// <summary>
    /// <c>retry_lost_nodes</c> (issue 14): a node whose runner stopped heart-beating is retried once, as a new attempt of its
    /// job, on another runner. Off by default: the node ends infrastructure_fail and stays so.
    /// </summary>
    public bool RetryLostNodes { get; set; }

    /// <summary>
    /// <c>hold_on_failure</c> (R-BEY-1): <c>off</c>; <c>ssh</c>, a node whose step failed is held for SSH, entered by whom
    /// an SSH rerun would let in (the triggerer, and the write members when <see cref="SshWriteMembers"/> is on); <c>write</c>,
    /// held, and every write member may enter. Needs <see cref="DebugEnabled"/>.
    /// </summary>
    public string HoldOnFailure { get; set; } = "off";
    public int PipelineCount { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public sealed class Membership
{
    public long ProjectId { get; set; }
    public long UserId { get; set; }
    public required string Role { get; set; }
}

public sealed class ProjectVariable
{
    public long ProjectId { get; set; }
    public required string Name { get; set; }
    public required string Value { get; set; }
    public bool Secret { get; set; }
}

public sealed class PipelineRecord
{
    public long Id { get; set; }
    public long ProjectId { get; set; }
    public int Number { get; set; }
    public string? Ref { get; set; }

    /// <summary>The repository's default branch (its mirror's HEAD) when the pipeline was made: Travis's cache fallback.</summary>
    public string? DefaultBranch { get; set; }
    public required string Commit { get; set; }
    public required string ConfigPath { get; set; }
    public required string Dialect { get; set; }
    public required string Status { get; set; }
    public long TriggeredBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The branch built, or null (a tag, or a bare commit): CircleCI's <c>pipeline.git.branch</c>.</summary>
    public string? Branch { get; set; }

    /// <summary>The tag built, or null: CircleCI's <c>pipeline.git.tag</c>.</summary>
    public string? Tag { get; set; }

    /// <summary>What started it: <c>api</c>, <c>webhook</c> or <c>schedule</c> (Porthole.Pipeline's <c>TriggerSources</c>; the default, api).</summary>
    public string TriggerSource { get; set; } = "api";

    /// <summary>The scheduled workflow that started it, when a schedule did.</summary>
    public string? ScheduleName { get; set; }

    /// <summary>The commit's message (its first 4096 characters), for Travis's <c>TRAVIS_COMMIT_MESSAGE</c>; null when unknown.</summary>
    public string? CommitMessage { get; set; }

    /// <summary>The pipeline parameters as bound (<see cref="Porthole.Contracts.Plans.PipelinePlan.Parameters"/>), JSON; null: none.</summary>
    public string? Parameters { get; set; }

    /// <summary>The registry orbs used, each at its exact version (<see cref="Porthole.Contracts.Plans.PipelinePlan.Orbs"/>), JSON; null: none.</summary>
    public string? Orbs { get; set; }

    /// <summary>Triggered with <c>hold_on_failure</c> (R-BEY-1): its nodes are held for SSH when a step fails, whatever the project's setting.</summary>
    public bool HoldOnFailure { get; set; }
}

public sealed class WorkflowRecord
{
    public long Id { get; set; }
    public long PipelineId { get; set; }
    public required string Name { get; set; }
    public required string Status { get; set; }

    /// <summary>Travis's fast_finish: the result is decided once the jobs not allowed to fail are done.</summary>
    public bool FastFinish { get; set; }
}

public sealed class JobRecord
{
    public long Id { get; set; }
    public long WorkflowId { get; set; }
    public long PipelineId { get; set; }

    /// <summary>1-based position of the job in its pipeline (Travis's job number suffix).</summary>
    public int Number { get; set; }
    public required string Name { get; set; }

    /// <summary>The job's <see cref="Porthole.Contracts.Plans.JobPlan"/> as JSON.</summary>
    public required string Plan { get; set; }

    /// <summary>Names of required jobs, newline-separated.</summary>
    public required string Requires { get; set; }
    public int Parallelism { get; set; }
    public required string Status { get; set; }
    public int AttemptCount { get; set; }

    /// <summary>A job that runs steps, or an approval (no nodes; it waits <c>on_hold</c> until a write member approves it).</summary>
    public Porthole.Contracts.Plans.JobType Type { get; set; }

    /// <summary>The user who approved the approval job's latest attempt (null: not approved; a rerun clears it).</summary>
    public long? ApprovedBy { get; set; }

    public DateTimeOffset? ApprovedAt { get; set; }

    /// <summary>Travis's allow_failures: its failure does not fail the workflow nor stop the jobs that require it.</summary>
    public bool AllowFailure { get; set; }

    /// <summary>Travis's build stage; null outside Travis.</summary>
    public string? Stage { get; set; }

    /// <summary>The labels a runner needs to take the job (<see cref="Contracts.Runners.RunnerLabels"/>), comma-separated.</summary>
    public string RunnerLabels { get; set; } = "";
}

public sealed class AttemptRecord
{
    public long Id { get; set; }
    public long JobId { get; set; }
    public int Number { get; set; }
    public required string Status { get; set; }

    /// <summary>Why the attempt exists: <c>trigger</c>, <c>rerun</c>, <c>rerun_from_failed</c>, <c>retry_lost</c> (its runner was lost, <see cref="Project.RetryLostNodes"/>).</summary>
    public required string Reason { get; set; }

    /// <summary>An attempt with SSH endpoints (R-SSH-12): it does not change the job's, workflow's or pipeline's status.</summary>
    public bool Ssh { get; set; }

    /// <summary>A debug run (R-DBG-*): an SSH attempt whose node hands out one shared tmux session instead of running the steps.</summary>
    public bool Debug { get; set; }

    /// <summary>A quiet debug run: nothing of the session goes into the log.</summary>
    public bool Quiet { get; set; }

    /// <summary>A debug run that stops before this step (its index in the plan, from 0) once the steps before it ran (R-BEY-4).</summary>
    public int? BreakBefore { get; set; }

    /// <summary>A debug run that runs the steps and stops at the first that fails (R-BEY-4).</summary>
    public bool BreakOnFailure { get; set; }

    /// <summary>
    /// A debug run of a project with <see cref="Project.DebugOpenAccess"/>: the secret that the open ssh command carries.
    /// Shown to the project's writers by the API, never written to a log; null otherwise.
    /// </summary>
    public string? OpenAccessToken { get; set; }
    public long RequestedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
}

public sealed class NodeRecord
{
    public long Id { get; set; }
    public long AttemptId { get; set; }
    public long JobId { get; set; }
    public int Index { get; set; }
    public required string Status { get; set; }
    public string? Message { get; set; }
    public string? RunnerName { get; set; }

    /// <summary>The registered runner (<see cref="RunnerRecord"/>) that leased the node; null before a lease, or for a runner not registered.</summary>
    public long? RunnerId { get; set; }

    /// <summary>SHA-256 (lowercase hex) of the current lease's token (<see cref="Contracts.Runners.NodeAssignment.LeaseToken"/>); null before a lease.</summary>
    public string? LeaseTokenHash { get; set; }

    /// <summary>A runner this node must not be given to: the one that lost the attempt it retries (<c>retry_lost_nodes</c>).</summary>
    public long? AvoidRunnerId { get; set; }

    /// <summary>When the node last became queued for a runner: the start of its queue wait (porthole_queue_wait_seconds).</summary>
    public DateTimeOffset? QueuedAt { get; set; }
    public DateTimeOffset? LeaseExpiresAt { get; set; }
    public bool CancelRequested { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public string? SshHost { get; set; }
    public int? SshPort { get; set; }
    public string? SshUser { get; set; }
    public string? SshHostKey { get; set; }
    public string? SshHostKeyFingerprint { get; set; }

    /// <summary>Fingerprints of the keys the node's sshd accepts, newline-separated.</summary>
    public string? SshAccepted { get; set; }

    /// <summary>
    /// When a step failed and the node was held for SSH (R-BEY-1): the node still runs (its lease, its sshd), but its result
    /// is <see cref="HeldStatus"/> from then on, for the roll-up and at its end.
    /// </summary>
    public DateTimeOffset? HeldAt { get; set; }

    /// <summary>The result of the held node's steps (<c>failed</c>, <c>timedout</c>); null when not held.</summary>
    public string? HeldStatus { get; set; }

    /// <summary>When the node's SSH wait ends unless someone extends it or connects (the runner reports it as it changes); null when not waiting.</summary>
    public DateTimeOffset? SshEndsAt { get; set; }

    /// <summary>What ends the wait at <see cref="SshEndsAt"/>: <c>first_connection</c>, <c>session_cap</c>, <c>grace</c>.</summary>
    public string? SshEndsBy { get; set; }

    /// <summary>
    /// The end (<see cref="SshEndsAt"/>) the project's notification webhook was last told is near (<c>ending_soon</c>,
    /// R-BEY-4); claimed in the database, so one server sends it once.
    /// </summary>
    public DateTimeOffset? SshEndingNotifiedFor { get; set; }

    /// <summary>An extension a writer asked for through the API or the web (R-BEY-4), until the node takes it: the time to add.</summary>
    public TimeSpan? ExtendRequested { get; set; }

    /// <summary>A writer asked through the API or the web to end the node now (<c>release</c>).</summary>
    public bool ReleaseRequested { get; set; }
    /// <summary>The job's working directory as the node has it, where a session starts (an IDE's folder, R-BEY-5).</summary>
    public string? SshWorkingDirectory { get; set; }

    /// <summary>Test cases the node sent past the cap of cases per node (<see cref="JobData.JobDataOptions.MaxTestCasesPerNode"/>): counted, not stored.</summary>
    public int TestCasesIgnored { get; set; }
}

public sealed class StepRecord
{
    public long Id { get; set; }
    public long NodeId { get; set; }
    public int Index { get; set; }
    public required string Name { get; set; }
    public required string Status { get; set; }
    public int? ExitCode { get; set; }
    public long LogStart { get; set; }
    public long? LogEnd { get; set; }
    public bool Background { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
}

/// <summary>The one number space pipelines, workflows and jobs draw their ids from (see decision 4).</summary>
public sealed class IdSequence
{
    public required string Name { get; set; }
    public long Next { get; set; }
}

/// <summary>A user's SSH public key (R-KEY-1); a key belongs to one user only.</summary>
public sealed class SshKey
{
    public long Id { get; set; }
    public long UserId { get; set; }
    public required string Type { get; set; }

    /// <summary><c>type base64</c>, without options or comment.</summary>
    public required string PublicKey { get; set; }
    public required string Fingerprint { get; set; }
    public string? Comment { get; set; }
    public int? Bits { get; set; }
    public string? Title { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A key offered to a node's sshd, accepted or refused with the reason (R-SSH-4).</summary>
public sealed class SshKeyEventRecord
{
    public long Id { get; set; }
    public long NodeId { get; set; }
    public DateTimeOffset At { get; set; }
    public bool Accepted { get; set; }
    public string? Fingerprint { get; set; }
    public string? KeyType { get; set; }
    public required string Address { get; set; }
    public int Port { get; set; }
    public string? UserName { get; set; }
    public string? Reason { get; set; }
}

/// <summary>An SSH session of a node, for the audit (R-SSH-10): one connection, from its start to its end.</summary>
public sealed class SshSessionRecord
{
    public long Id { get; set; }
    public long NodeId { get; set; }
    public required string Address { get; set; }
    public int Port { get; set; }
    public string? UserName { get; set; }
    public string? Fingerprint { get; set; }
    public string? Command { get; set; }

    /// <summary>How the session came in: <c>ssh</c> (a user's ssh client) or <c>web</c> (the browser terminal, R-WEB-2).</summary>
    public string Via { get; set; } = Contracts.Ssh.SshVia.Ssh;

    /// <summary>The session can only watch (a read-only key's, or a <c>watch</c> of a debug session: R-DBG-7).</summary>
    public bool ReadOnly { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }

    /// <summary>
    /// When an admin ended the session (R-DBG-7), and who: until the node reports it ended, each heartbeat's reply asks
    /// the node to close its connection.
    /// </summary>
    public DateTimeOffset? EndRequestedAt { get; set; }
    public string? EndRequestedBy { get; set; }
}
