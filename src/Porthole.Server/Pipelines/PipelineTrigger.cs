using System.Text;
using System.Text.Json;
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
/// the config there, store workflows, jobs, first attempts and nodes, and queue what has no requirements.
/// </summary>
public sealed class PipelineTrigger(ProjectRepositories repositories, Scheduler scheduler, StateLock stateLock, TimeProvider time)
{
    private const int MaxConfigBytes = 3 * 1024 * 1024;

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

        using var held = await stateLock.EnterAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        project.PipelineCount++;
        var pipeline = new PipelineRecord
        {
            Id = await IdAllocator.NextAsync(db, ct),
            ProjectId = project.Id,
            Number = project.PipelineCount,
            Ref = resolved.Ref,
            Commit = resolved.Sha,
            ConfigPath = plan.ConfigPath,
            Dialect = plan.Dialect == ConfigDialect.Travis ? "travis" : "circleci",
            Status = Status.Queued,
            TriggeredBy = userId,
            CreatedAt = time.GetUtcNow(),
        };
        db.Pipelines.Add(pipeline);
        await db.SaveChangesAsync(ct);

        var number = 0;
        var workflows = new List<WorkflowRecord>();
        var jobs = new List<JobRecord>();
        foreach (var workflowPlan in plan.Workflows)
        {
            var workflow = new WorkflowRecord { Id = await IdAllocator.NextAsync(db, ct), PipelineId = pipeline.Id, Name = workflowPlan.Name, Status = Status.Queued };
            db.Workflows.Add(workflow);
            await db.SaveChangesAsync(ct);
            workflows.Add(workflow);
            foreach (var jobPlan in workflowPlan.Jobs)
            {
                var job = new JobRecord
                {
                    Id = await IdAllocator.NextAsync(db, ct),
                    WorkflowId = workflow.Id,
                    PipelineId = pipeline.Id,
                    Number = ++number,
                    Name = jobPlan.Name,
                    Plan = JsonSerializer.Serialize(jobPlan, PlanJson.Options),
                    Requires = JobRequires.Format(jobPlan.Requires),
                    Parallelism = Math.Max(1, jobPlan.Parallelism),
                    Status = Status.Blocked,
                };
                db.Jobs.Add(job);
                jobs.Add(job);
            }

            await db.SaveChangesAsync(ct);
        }

        foreach (var job in jobs)
        {
            await scheduler.StartAttemptAsync(db, job, "trigger", userId, ct);
        }

        foreach (var workflow in workflows)
        {
            await scheduler.RollUpAsync(db, workflow.Id, ct);
        }

        await transaction.CommitAsync(ct);
        return (pipeline, null);
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

            var result = ConfigReader.Read(path, Encoding.UTF8.GetString(bytes));
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
