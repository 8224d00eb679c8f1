using System.Net;
using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Api;
using Porthole.Server.Accounts;
using Porthole.Server.Api;
using Porthole.Data;
using Porthole.Server.Pipelines;

namespace Porthole.Server.Ssh;

/// <summary>
/// "Rerun job with SSH" (R-SSH-1), behind every way of asking for it: the checks in the order a user meets them
/// (project setting, role, a key), then a new SSH attempt of the job. A refusal is the API's answer (<c>ToProblem</c>) and the
/// web's message (<see cref="Refusal.Detail"/>).
/// </summary>
public sealed class SshRerun(Reruns reruns)
{
    /// <param name="breakBefore">A breakpoint before this step (R-BEY-4: its index or name), resolved after the checks; the attempt is then a debug attempt.</param>
    /// <param name="breakOnFailure">A breakpoint at the first failing step (R-BEY-4); the attempt is then a debug attempt.</param>
    public async Task<(IReadOnlyList<JobAttemptRef>? Jobs, Refusal? Refusal)> RequestAsync(
        PortholeDb db, JobRecord job, Project project, CurrentUser user, CancellationToken ct, string? breakBefore = null, bool breakOnFailure = false)
    {
        if (!project.DebugEnabled)
        {
            return (null, new Refusal((int)HttpStatusCode.Forbidden, ErrorCodes.DebugDisabled,
                $"Rerun with SSH is switched off for project {project.Name} (debug_enabled is off, the default for public projects). A project admin can switch it on: porthole project settings {project.Name} --debug-enabled true."));
        }

        if (!await ProjectAccess.CanAsync(db, project, user, Roles.Write, ct))
        {
            return (null, new Refusal((int)HttpStatusCode.Forbidden, ErrorCodes.Forbidden, $"Rerun with SSH needs write access to project {project.Name}; you have read access. Ask a project admin."));
        }

        if (!await db.SshKeys.AnyAsync(k => k.UserId == user.Id, ct))
        {
            return (null, new Refusal((int)HttpStatusCode.UnprocessableEntity, ErrorCodes.NoSshKey,
                "You have no SSH key, so no session could be let in: add an SSH key first: porthole keys add ~/.ssh/id_ed25519.pub"));
        }

        var (breakpoint, stepRefusal) = StepBreakpoints.Resolve(job, breakBefore, breakOnFailure);
        if (stepRefusal is not null)
        {
            return (null, stepRefusal);
        }

        var (jobs, refusal) = await reruns.RerunWithSshAsync(db, project, job, user.Id, breakpoint, ct);
        return jobs is null ? (null, Refusal.Conflict(ErrorCodes.JobNotFinished, refusal!)) : (jobs, null);
    }
}
