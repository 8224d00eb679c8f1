using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Api;
using Porthole.Server.Accounts;
using Porthole.Data;
using Porthole.Server.Ssh;
using Porthole.Server.Web.Pages;
using Porthole.Server.Web.Terminal;

namespace Porthole.Server.Web.Components;

/// <summary>
/// What the SSH panel shows of one SSH or debug attempt, worked out by the job page's handler with what it already
/// loaded (the job, the project, the viewer's role): the API's SSH view, and what the viewer may do there.
/// </summary>
/// <param name="CanEnd">The viewer is the project's admin, who may end any session (R-DBG-7).</param>
/// <param name="Level">What the viewer's browser terminal may do while the attempt runs (<see cref="SshAccess.LevelOfAsync"/>).</param>
/// <param name="TerminalRefusal">Why the viewer may not open a terminal, in the words of the terminal's own refusal.</param>
public sealed record SshPanelModel(JobSshView View, bool Live, bool CanEnd, SshAccessLevel Level, string? TerminalRefusal)
{
    /// <summary>The project's <c>ssh_port_forwarding</c>: VS Code Remote-SSH needs it (R-BEY-5).</summary>
    public bool PortForwarding { get; init; }

    /// <summary>The viewer may write to the project: the Extend and Release buttons of a node that waits (R-BEY-4).</summary>
    public bool CanWrite { get; init; }

    public static async Task<SshPanelModel> ForAsync(
        PortholeDb db, JobRecord job, Project project, AttemptRecord attempt, CurrentUser user, ProjectPermissions permissions, CancellationToken ct)
    {
        var view = await SshApi.ViewAsync(db, job, project, attempt, user, ct);
        var live = SshAttempts.IsLive(attempt, await db.Nodes.Where(n => n.AttemptId == attempt.Id).ToListAsync(ct));
        var level = SshAccessLevel.None;
        if (live)
        {
            // The same decision as the terminal's endpoint (WebTerminalApi), which checks again when one opens.
            var viewer = await db.Users.FindAsync([user.Id], ct) ?? throw new InvalidOperationException($"user {user.Id} is gone");
            level = await SshAccess.LevelOfAsync(db, project, attempt, viewer, ct);
        }

        return new SshPanelModel(
            view,
            live,
            permissions.IsAdmin,
            level,
            live && level == SshAccessLevel.None ? WebTerminalApi.WhyNot(project, attempt.Debug, view.RequestedBy) : null)
        {
            PortForwarding = project.SshPortForwarding,
            CanWrite = permissions.CanWrite,
        };
    }
}
