using Porthole.Contracts.Plans;

namespace Porthole.Pipeline.CircleCi;

/// <summary>
/// What an executor key gives its job: where it runs, the primary docker image's environment (which the job's
/// own environment overrides), and the shell its steps default to when the job names none (null: CircleCI's default).
/// </summary>
internal sealed record JobExecutor(ExecutorSpec Executor, IReadOnlyList<EnvironmentVariable> Environment, string? Shell)
{
    public static JobExecutor Of(ExecutorSpec executor, string? shell = null) => new(executor, [], shell);
}
