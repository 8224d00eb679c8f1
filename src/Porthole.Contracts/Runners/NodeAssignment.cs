using Porthole.Contracts.Plans;
using Porthole.Contracts.Ssh;

namespace Porthole.Contracts.Runners;

/// <summary>
/// Everything a runner needs to run one node of one attempt of a job, handed over by a lease.
/// <see cref="Variables"/> are the project's environment variables; those marked secret are masked in the log.
/// <see cref="Ssh"/> is set when the attempt was asked for with SSH (a rerun with SSH, or a debug run, which also sets
/// <see cref="Debug"/>).
/// </summary>
public sealed record NodeAssignment(
    long NodeId,
    long JobId,
    int Attempt,
    int JobNumber,
    long WorkflowId,
    string WorkflowName,
    long PipelineId,
    int PipelineNumber,
    string ProjectName,
    string RepositoryUrl,
    string CommitSha,
    string? Branch,
    int NodeIndex,
    int NodeTotal,
    ConfigDialect Dialect,
    JobPlan Job,
    IReadOnlyList<ProjectVariable> Variables,
    TimeSpan JobTimeout,
    long LogCapBytes,
    SshRequest? Ssh = null,
    DebugRequest? Debug = null)
{
    /// <summary>The repository's default branch (its HEAD when the pipeline was made), for Travis's cache fallback; null when unknown.</summary>
    public string? DefaultBranch { get; init; }

    /// <summary>The most a cache archive of this project may take (compressed): the runner stops making one that grows past it.</summary>
    public long CacheCapBytes { get; init; } = 5L * 1024 * 1024 * 1024;
}

public sealed record ProjectVariable(string Name, string Value, bool Secret);
