using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Api;
using Porthole.Contracts.Plans;
using Porthole.Server.Api;
using Porthole.Data;

namespace Porthole.Server.Pipelines;

/// <summary>
/// Approves an approval job (CircleCI's <c>type: approval</c>, §A6): the job on hold ends <c>success</c>, who approved it
/// and when are stored with it, and the <see cref="Scheduler"/> releases its dependents as after any successful job.
/// Only a job on hold can be approved; the refusal says why another cannot. The caller has checked the role.
/// </summary>
public sealed class Approvals(Scheduler scheduler, StateLock stateLock, TimeProvider time)
{
    /// <summary>Approves <paramref name="job"/> as <paramref name="userId"/>; returns why not (404 not an approval, 409 not on hold) or null.</summary>
    public async Task<Refusal?> ApproveAsync(PortholeDb db, JobRecord job, long userId, CancellationToken ct)
    {
        if (job.Type != JobType.Approval)
        {
            return NotAnApproval(job);
        }

        using var held = await stateLock.EnterAsync(ct);

        // What the caller read may be stale: another approval or a cancel may have come in meanwhile.
        await db.Entry(job).ReloadAsync(ct);
        if (job.Status != Status.OnHold)
        {
            return Refusal.Conflict(ErrorCodes.ApprovalNotOnHold, await WhyNotOnHoldAsync(db, job, ct));
        }

        job.ApprovedBy = userId;
        job.ApprovedAt = time.GetUtcNow();
        await scheduler.EndWithoutNodesAsync(db, job, Status.Success, ct);
        return null;
    }

    /// <summary>The 404 for a job that is not an approval job: there is no approval request by that id.</summary>
    public static Refusal NotAnApproval(JobRecord job) => Refusal.NotFound(
        ErrorCodes.ApprovalNotFound,
        $"Job {job.Id} ({job.Name}) is not an approval job: only a job of type approval waits for an approval.");

    private static async Task<string> WhyNotOnHoldAsync(PortholeDb db, JobRecord job, CancellationToken ct)
    {
        var name = $"Approval job {job.Id} ({job.Name})";
        switch (job.Status)
        {
            case Status.Blocked:
                var requires = JobRequires.Parse(job.Requires);
                return $"{name} is blocked: it can be approved once {string.Join(", ", requires)} {(requires.Count == 1 ? "has" : "have")} succeeded.";
            case Status.Success:
                var by = job.ApprovedBy is { } id ? await db.Users.Where(u => u.Id == id).Select(u => u.Name).SingleOrDefaultAsync(ct) : null;
                var when = job.ApprovedAt is { } at ? $" at {at.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC" : "";
                return $"{name} has already been approved{(by is null ? "" : $" by {by}")}{when}.";
            case Status.Canceled:
                return $"{name} was canceled; rerun the workflow to wait for a new approval.";
            case Status.NotRun:
                return $"{name} did not run because a job it requires did not succeed; rerun the workflow to wait for a new approval.";
            default:
                return $"{name} is {job.Status}, not on hold.";
        }
    }
}
