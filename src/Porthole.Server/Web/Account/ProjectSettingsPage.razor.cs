using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Api;
using Porthole.Server.Accounts;
using Porthole.Server.Api;
using Porthole.Data;
using Porthole.Server.Pipelines;
using Porthole.Server.Projects;
using Porthole.Server.Web.Pages;

namespace Porthole.Server.Web.Account;

/// <summary>
/// GET and POST <c>/projects/{name}/settings</c>, POST <c>/projects/{name}/members</c> (add a member or change a role) and
/// <c>/projects/{name}/members/remove</c>: for the project's admins and server admins, found and checked by the API's
/// <see cref="Lookups.ProjectAsync"/>; others get the error page with its reason.
/// </summary>
public sealed partial class ProjectSettingsPage
{
    [Parameter, EditorRequired]
    public ProjectView Project { get; set; } = null!;

    [Parameter, EditorRequired]
    public IReadOnlyList<MemberView> Members { get; set; } = [];

    /// <summary>The project's notification webhook's address (R-BEY-4), or null when it has none.</summary>
    [Parameter]
    public string? NotificationUrl { get; set; }

    public static readonly IReadOnlyList<string> RoleChoices = [Roles.Read, Roles.Write, Roles.Admin];

    public static async Task<IResult> GetAsync(string name, HttpContext http, PortholeDb db, CancellationToken ct)
    {
        var (project, problem) = await Lookups.ProjectAsync(db, name, CurrentUser.From(http.User), Roles.Admin, "change its settings", ct);
        if (project is null)
        {
            return WebResults.Problem(problem!);
        }

        var notificationUrl = await db.ProjectNotifications.Where(w => w.ProjectId == project.Id).Select(w => w.Url).SingleOrDefaultAsync(ct);
        return WebResults.Page<ProjectSettingsPage>(new
        {
            Project = Views.Of(project),
            Members = await ProjectMembers.ListAsync(db, project, ct),
            NotificationUrl = notificationUrl,
        });
    }

    /// <summary>The settings form: an unticked box is sent as nothing, so it means off.</summary>
    public static async Task<IResult> SaveAsync(
        string name,
        [FromForm(Name = "debug_enabled")] bool? debugEnabled,
        [FromForm(Name = "ssh_write_members")] bool? sshWriteMembers,
        [FromForm(Name = "debug_open_access")] bool? debugOpenAccess,
        [FromForm(Name = "retry_lost_nodes")] bool? retryLostNodes,
        [FromForm(Name = "hold_on_failure")] string? holdOnFailure,
        [FromForm(Name = "ssh_port_forwarding")] bool? sshPortForwarding,
        [FromForm(Name = "session_recording")] bool? sessionRecording,
        HttpContext http, PortholeDb db, CancellationToken ct)
    {
        var (project, problem) = await Lookups.ProjectAsync(db, name, CurrentUser.From(http.User), Roles.Admin, "change its settings", ct);
        if (project is null)
        {
            return WebResults.Problem(problem!);
        }

        if (ProjectSettings.InvalidHoldOnFailure(holdOnFailure) is { } invalid)
        {
            return Flash.RedirectWith(http, Links.ProjectSettings(project.Name), new FlashMessage(invalid, IsError: true));
        }

        var changes = new ProjectSettingsRequest(debugEnabled ?? false, sshWriteMembers, debugOpenAccess ?? false, retryLostNodes ?? false)
        {
            SshPortForwarding = sshPortForwarding ?? false,
            SessionRecording = sessionRecording ?? false,
            HoldOnFailure = holdOnFailure,
        };
        await ProjectSettings.ApplyAsync(db, project, changes, ct);
        var saved = $"Saved: debug mode {(project.DebugEnabled ? "enabled" : "off")}; "
            + $"{(project.SshWriteMembers ? "all write members" : "the requester only")} may type in an SSH session; "
            + $"open access {(project.DebugOpenAccess ? "ON" : "off")}; "
            + $"port forwarding to SSH nodes {(project.SshPortForwarding ? "on" : "off")}; "
            + $"SSH and debug sessions {(project.SessionRecording ? "recorded" : "not recorded")}; "
            + $"a job whose runner was lost is {(project.RetryLostNodes ? "retried once" : "not retried")}; "
            + $"a failed node is {(project.HoldOnFailure == HoldOnFailureModes.Off ? "not held" : $"held for SSH ({project.HoldOnFailure})")}.";
        return Flash.RedirectWith(http, Links.ProjectSettings(project.Name), new FlashMessage(saved, IsError: false));
    }

    public static async Task<IResult> SetMemberAsync(
        string name, [FromForm(Name = "user")] string? member, [FromForm(Name = "role")] string? role,
        HttpContext http, PortholeDb db, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        var (project, problem) = await Lookups.ProjectAsync(db, name, user, Roles.Admin, "change its members", ct);
        if (project is null)
        {
            return WebResults.Problem(problem!);
        }

        member = member?.Trim();
        if (string.IsNullOrEmpty(member))
        {
            return Flash.RedirectWith(http, Links.ProjectSettings(project.Name), new FlashMessage("Type the user name of the member to add.", IsError: true));
        }

        if (role is null || !Roles.IsValid(role))
        {
            return Flash.RedirectWith(http, Links.ProjectSettings(project.Name), new FlashMessage("Choose a role: read, write or admin.", IsError: true));
        }

        var refused = await ProjectMembers.SetRoleAsync(db, project, member, role, mustBeMember: false, ct);
        return await BackAsync(http, db, project, user, refused, $"{member} now has {role} access to project {project.Name}.", ct);
    }

    public static async Task<IResult> RemoveMemberAsync(
        string name, [FromForm(Name = "user")] string? member, HttpContext http, PortholeDb db, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        var (project, problem) = await Lookups.ProjectAsync(db, name, user, Roles.Admin, "remove its members", ct);
        if (project is null)
        {
            return WebResults.Problem(problem!);
        }

        member = member?.Trim() ?? "";
        var refused = await ProjectMembers.SetRoleAsync(db, project, member, role: null, mustBeMember: true, ct);
        return await BackAsync(http, db, project, user, refused, $"{member} is no longer a member of project {project.Name}.", ct);
    }

    /// <summary>Back to the settings with what happened; to the project's page if the change took the user's own admin role.</summary>
    private static async Task<IResult> BackAsync(
        HttpContext http, PortholeDb db, Project project, CurrentUser user, Refusal? refused, string done, CancellationToken ct)
    {
        if (refused is not null)
        {
            return Flash.RedirectWith(http, Links.ProjectSettings(project.Name), new FlashMessage(refused.Detail, IsError: true));
        }

        var stillAdmin = await ProjectAccess.CanAsync(db, project, user, Roles.Admin, ct);
        return Flash.RedirectWith(http, stillAdmin ? Links.ProjectSettings(project.Name) : Links.Project(project.Name), new FlashMessage(done, IsError: false));
    }
}
