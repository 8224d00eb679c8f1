using System.Text;
using Microsoft.Extensions.Options;
using Porthole.Contracts.Api;
using Porthole.Contracts.Plans;
using Porthole.Pipeline;
using Porthole.Server.Data;
using Porthole.Server.Projects;

namespace Porthole.Server.Pipelines;

/// <summary>Why a trigger made no pipeline: an error code of the API and a sentence for the user.</summary>
public sealed record TriggerRefusal(string Code, string Detail, IReadOnlyList<ConfigError>? Errors = null);

/// <summary>
/// Turns "run project P at ref R" into a stored pipeline: fetch the repository, resolve the commit, read and plan
/// the config there (at most <see cref="PortholeOptions.MaxJobsPerPipeline"/> jobs), store workflows, jobs, first
/// attempts and nodes (<see cref="PipelineWriter"/>), and queue what has no requirements.
/// </summary>
public sealed class PipelineTrigger(
    ProjectRepositories repositories, Scheduler scheduler, StateLock stateLock, TimeProvider time, IOptions<PortholeOptions> options)
{
    private const int MaxConfigBytes = 3 * 1024 * 1024;

    private readonly PipelineWriter _writer = new(scheduler, stateLock, time);

    /// <summary>Deletes what an earlier process left half stored (see <see cref="PipelineWriter.DeleteAbandonedAsync"/>).</summary>
    public Task DeleteAbandonedAsync(PortholeDb db, CancellationToken ct) => _writer.DeleteAbandonedAsync(db, ct);

    public async Task<(PipelineRecord? Pipeline, TriggerRefusal? Refusal)> TriggerAsync(
        PortholeDb db, Project project, string? gitRef, string? commit, long userId, CancellationToken ct)
    {
        var unreachable = await repositories.RefreshAsync(project.Id, project.Repository, ct);
        if (unreachable is not null)
        {
            return (null, new TriggerRefusal(ErrorCodes.RepositoryUnreachable, unreachable));
        }

        var resolved = await repositories.ResolveAsync(project.Id, gitRef, commit, ct);
        if (resolved is null)
        {
            var what = commit is not null ? $"commit '{commit}'" : gitRef is not null ? $"ref '{gitRef}'" : "the default branch";
            return (null, new TriggerRefusal(ErrorCodes.RefNotFound, $"Project {project.Name} has no {what}."));
        }

        var (plan, refusal) = await ReadPlanAsync(project, resolved.Sha, ct);
        if (plan is null)
        {
            return (null, refusal);
        }

        var defaultBranch = await repositories.DefaultBranchAsync(project.Id, ct);
        return (await _writer.WriteAsync(db, project.Id, resolved.Ref, resolved.Sha, plan, userId, defaultBranch, ct), null);
    }

    private async Task<(PipelinePlan? Plan, TriggerRefusal? Refusal)> ReadPlanAsync(Project project, string sha, CancellationToken ct)
    {
        foreach (var path in ConfigReader.KnownPaths)
        {
            var bytes = await repositories.ReadFileAsync(project.Id, sha, path, ct);
            if (bytes is null)
            {
                continue;
            }

            if (bytes.Length > MaxConfigBytes)
            {
                return (null, new TriggerRefusal(ErrorCodes.ConfigInvalid, $"{path} is {bytes.Length} bytes; the limit is {MaxConfigBytes} bytes."));
            }

            var limits = new ConfigReaderOptions
            {
                MaxJobs = options.Value.MaxJobsPerPipeline,
                MaxJobsSetting = nameof(PortholeOptions.MaxJobsPerPipeline),
            };
            var result = ConfigReader.Read(path, Encoding.UTF8.GetString(bytes), options: limits);
            if (!result.IsValid)
            {
                var first = result.Errors.Count > 0 ? result.Errors[0].ToString() : $"{path}: no plan";
                return (null, new TriggerRefusal(ErrorCodes.ConfigInvalid, $"The config at {sha[..12]} cannot run: {first}", result.Errors));
            }

            return (result.Plan, null);
        }

        return (null, new TriggerRefusal(ErrorCodes.ConfigNotFound,
            $"Commit {sha[..12]} has no {string.Join(" or ", ConfigReader.KnownPaths)}; add one and push it."));
    }
}
