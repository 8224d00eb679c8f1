using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Porthole.Contracts.Api;
using Porthole.Pipeline;
using Porthole.Pipeline.Orbs;
using Porthole.Data;
using Porthole.Server.Projects;

namespace Porthole.Server.Pipelines;

/// <summary>Why a trigger made no pipeline: an error code of the API and a sentence for the user.</summary>
public sealed record TriggerRefusal(string Code, string Detail, IReadOnlyList<ConfigError>? Errors = null);

/// <summary>
/// Turns "run project P at ref R" into a stored pipeline: fetch the repository, resolve the commit and whether it is a
/// branch or a tag, compile the config there with the trigger's values (§A1.6: id, number, branch or tag, revisions,
/// source, parameters; registry orbs from the <see cref="IOrbSource"/>; at most <see cref="PortholeOptions.MaxJobsPerPipeline"/>
/// jobs), store workflows, jobs, first attempts and nodes (<see cref="PipelineWriter"/>), queue what has no requirements,
/// and keep the branch's scheduled workflows (<see cref="ScheduleStore"/>) when the commit is the branch's head.
/// </summary>
/// <remarks>
/// The config may read <c>pipeline.number</c>, so the number is known before compiling: triggers of one project take turns
/// from reading the next number to storing the pipeline (a gate per project, and on PostgreSQL a lock across servers;
/// fetching the repository is outside it), and no number is burnt by a refused trigger. The id is reserved first, from
/// the one number space (decision 4).
/// </remarks>
public sealed class PipelineTrigger(
    ProjectRepositories repositories,
    Scheduler scheduler,
    StateLock stateLock,
    Data.ServerDatabase database,
    TimeProvider time,
    IOptions<PortholeOptions> options,
    IOrbSource orbs,
    ScheduleStore schedules)
{
    private const int MaxConfigBytes = 3 * 1024 * 1024;

    private readonly PipelineWriter _writer = new(scheduler, stateLock, time);
    private readonly ConcurrentDictionary<long, SemaphoreSlim> _projectGates = new();

    /// <summary>Deletes what an earlier process left half stored (see <see cref="PipelineWriter.DeleteAbandonedAsync"/>).</summary>
    public Task DeleteAbandonedAsync(PortholeDb db, CancellationToken ct) => _writer.DeleteAbandonedAsync(db, ct);

    /// <summary>An API trigger at a ref (branch or tag) or commit, without parameters.</summary>
    public Task<(PipelineRecord? Pipeline, TriggerRefusal? Refusal)> TriggerAsync(
        PortholeDb db, Project project, string? gitRef, string? commit, long userId, CancellationToken ct) =>
        TriggerAsync(db, project, TriggerInput.Api(gitRef, commit), userId, ct);

    public async Task<(PipelineRecord? Pipeline, TriggerRefusal? Refusal)> TriggerAsync(
        PortholeDb db, Project project, TriggerInput input, long userId, CancellationToken ct)
    {
        var unreachable = await repositories.RefreshAsync(project.Id, project.Repository, ct);
        if (unreachable is not null)
        {
            return (null, new TriggerRefusal(ErrorCodes.RepositoryUnreachable, unreachable));
        }

        // One git answers all of this trigger's lookups: a git started per lookup costs more than the lookup.
        await using var mirror = repositories.OpenReader(project.Id);
        var defaultBranch = repositories.DefaultBranch(project.Id);
        var target = await new TriggerRefs(mirror, defaultBranch).ResolveAsync(input, ct);
        if (target is null)
        {
            var what = input switch
            {
                { Commit: { } commit } => $"commit '{commit}'",
                { Tag: { } tag } => $"tag '{tag}'",
                { Branch: { } branch } => $"branch '{branch}'",
                { Ref: { } gitRef } => $"ref '{gitRef}'",
                _ => "default branch",
            };
            return (null, new TriggerRefusal(ErrorCodes.RefNotFound, $"Project {project.Name} has no {what}."));
        }

        var gate = _projectGates.GetOrAdd(project.Id, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        try
        {
            // And across the servers on the database: two that read the same next number could not both store it.
            using var turn = await database.LockProjectTriggersAsync(project.Id, ct);
            var id = await _writer.ReserveIdAsync(db, ct);
            var number = 1 + await db.Projects.AsNoTracking().Where(p => p.Id == project.Id).Select(p => p.PipelineCount).SingleAsync(ct);
            var baseRevision = target.Branch is null
                ? null
                : await db.Pipelines.AsNoTracking()
                    .Where(p => p.ProjectId == project.Id && p.Branch == target.Branch)
                    .OrderByDescending(p => p.Number)
                    .Select(p => p.Commit)
                    .FirstOrDefaultAsync(ct);
            var values = new PipelineValues
            {
                Id = id.ToString(CultureInfo.InvariantCulture),
                Number = number,
                Branch = target.Branch,
                Tag = target.Tag,
                Revision = target.Sha,
                BaseRevision = baseRevision,
                DefaultBranch = defaultBranch,
                GitUrl = project.Repository,
                ProjectType = ProjectType(project.Repository),
                TriggerSource = input.Source,
                ScheduleName = input.ScheduleName,
                ScheduleId = input.ScheduleId,
                Parameters = input.Parameters,
                CommitMessage = await mirror.CommitMessageAsync(target.Sha, ct),
            };
            var (result, refusal) = await CompileAsync(mirror, target.Sha, values, ct);
            if (result?.Plan is not { } plan)
            {
                return (null, refusal);
            }

            var start = new PipelineStart(id, number, project.Id, target.Ref, target.Sha, userId, defaultBranch)
            {
                Branch = target.Branch,
                Tag = target.Tag,
                TriggerSource = input.Source,
                ScheduleName = input.ScheduleName,
                CommitMessage = values.CommitMessage,
                HoldOnFailure = input.HoldOnFailure,
            };
            var pipeline = await _writer.WriteAsync(db, start, plan, ct);
            if (target is { Branch: { } branch, IsBranchHead: true })
            {
                await schedules.ReplaceAsync(project.Id, branch, result.Schedules, userId, ct);
            }

            return (pipeline, null);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>CircleCI's <c>pipeline.project.type</c>, from the repository's host; null for others and local paths.</summary>
    private static string? ProjectType(string repository) =>
        RepositoryNames.Host(repository) switch
        {
            "github.com" => "github",
            "bitbucket.org" => "bitbucket",
            "gitlab.com" => "gitlab",
            _ => null,
        };

    private async Task<(ConfigResult? Result, TriggerRefusal? Refusal)> CompileAsync(MirrorReader mirror, string sha, PipelineValues values, CancellationToken ct)
    {
        foreach (var path in ConfigReader.KnownPaths)
        {
            var file = await mirror.FileAsync(sha, path, MaxConfigBytes, ct);
            if (file is null)
            {
                continue;
            }

            if (file.Content is not { } bytes)
            {
                return (null, new TriggerRefusal(ErrorCodes.ConfigInvalid, $"{path} is {file.Size} bytes; the limit is {MaxConfigBytes} bytes."));
            }

            var limits = new ConfigReaderOptions
            {
                MaxJobs = options.Value.MaxJobsPerPipeline,
                MaxJobsSetting = nameof(PortholeOptions.MaxJobsPerPipeline),
            };
            var inputs = new ConfigInputs { Values = values, Orbs = orbs };
            var result = ConfigReader.Read(path, Encoding.UTF8.GetString(bytes), options: limits, inputs: inputs);
            if (!result.IsValid)
            {
                var first = result.Errors.Count > 0 ? result.Errors[0].ToString() : $"{path}: no plan";
                return (null, new TriggerRefusal(ErrorCodes.ConfigInvalid, $"The config at {sha[..12]} cannot run: {first}", result.Errors));
            }

            return (result, null);
        }

        return (null, new TriggerRefusal(ErrorCodes.ConfigNotFound,
            $"Commit {sha[..12]} has no {string.Join(" or ", ConfigReader.KnownPaths)}; add one and push it."));
    }
}
