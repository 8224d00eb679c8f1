namespace Porthole.Pipeline;

/// <summary>The bounds of <see cref="ConfigReader.Read"/> that a server may change; <see cref="Default"/> is what <c>porthole config validate</c> uses.</summary>
public sealed record ConfigReaderOptions
{
    public const int DefaultMaxJobs = 500;

    /// <summary>A pipeline's nodes (jobs × parallelism) may be this many times its jobs cap.</summary>
    public const int NodesPerJob = 10;

    public static ConfigReaderOptions Default { get; } = new();

    /// <summary>
    /// At most this many jobs per pipeline: a CircleCI job invoked in a workflow, a Travis matrix or jobs.include entry.
    /// Storing a pipeline costs per job, and Travis itself stops at 200 jobs per build.
    /// </summary>
    public int MaxJobs { get; init; } = DefaultMaxJobs;

    /// <summary>The setting that raises <see cref="MaxJobs"/>, named in the error so that its reader knows what to change.</summary>
    public string MaxJobsSetting { get; init; } = "MaxJobsPerPipeline";

    /// <summary>At most this many nodes per pipeline (parallelism included), so that few jobs cannot make thousands of nodes.</summary>
    public long MaxNodes => (long)MaxJobs * NodesPerJob;
}
