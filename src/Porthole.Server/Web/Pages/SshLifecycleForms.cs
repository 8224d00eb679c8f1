using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Porthole.Data;
using Porthole.Server.Accounts;
using Porthole.Server.Api;
using Porthole.Server.Ssh;
using Porthole.Server.Web.Sessions;

namespace Porthole.Server.Web.Pages;

/// <summary>
/// The SSH panel's "Extend" and "Release" buttons of a node that waits for SSH (R-BEY-4), for writers: the same checks and
/// service as <c>POST /api/jobs/{id}/nodes/{n}/extend|release</c> (<see cref="SshLifecycle"/>); back to the job with what happened.
/// </summary>
public static class SshLifecycleForms
{
    public static async Task<IResult> ExtendAsync(
        string id, string node, [FromForm(Name = "duration")] string? duration, [FromForm(Name = "back")] string? back,
        HttpContext http, PortholeDb db, IOptions<PortholeOptions> options, CancellationToken ct)
    {
        var (job, _, problem) = await Lookups.JobAsync(db, id, CurrentUser.From(http.User), Roles.Write, "extend its SSH wait", ct);
        if (job is null)
        {
            return WebResults.Problem(problem!);
        }

        var (record, refusal) = await SshLifecycle.ExtendAsync(db, job, node, duration, options.Value.SshExtendCap, ct);
        return Flash.RedirectWith(http, ReturnUrls.LocalOrDefault(back, Links.Job(job.Id)), record is null
            ? new FlashMessage(refusal!.Detail, IsError: true)
            : new FlashMessage($"Node {record.Index} stays {duration ?? "30m"} longer: it takes that within a few seconds.", IsError: false));
    }

    public static async Task<IResult> ReleaseAsync(
        string id, string node, [FromForm(Name = "back")] string? back, HttpContext http, PortholeDb db, CancellationToken ct)
    {
        var (job, _, problem) = await Lookups.JobAsync(db, id, CurrentUser.From(http.User), Roles.Write, "release it", ct);
        if (job is null)
        {
            return WebResults.Problem(problem!);
        }

        var (record, refusal) = await SshLifecycle.ReleaseAsync(db, job, node, ct);
        return Flash.RedirectWith(http, ReturnUrls.LocalOrDefault(back, Links.Job(job.Id)), record is null
            ? new FlashMessage(refusal!.Detail, IsError: true)
            : new FlashMessage($"Node {record.Index} is released: it ends, with its sessions, within a few seconds.", IsError: false));
    }
}
