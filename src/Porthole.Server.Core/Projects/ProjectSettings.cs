using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Api;
using Porthole.Data;

namespace Porthole.Server.Projects;

/// <summary>
/// A project's settings: SSH and debug (R-AC-3, R-DBG-7: <c>debug_enabled</c>, <c>ssh_write_members</c>, <c>debug_open_access</c>),
/// <c>ssh_port_forwarding</c> (R-BEY-5: local port forwarding to the node, for VS Code Remote-SSH), <c>retry_lost_nodes</c>
/// (issue 14: a node whose runner was lost is retried once on another runner), and <c>session_recording</c> (R-BEY-2: SSH
/// and debug sessions are recorded; a node leased after the change follows it).
/// Shared by the API (PUT /api/projects/NAME/settings) and the web's project settings page; the caller checks the admin role.
/// </summary>
public static class ProjectSettings
{
    /// <summary>Why <paramref name="holdOnFailure"/> is not a value of <c>hold_on_failure</c>, or null when it is (or not given).</summary>
    public static string? InvalidHoldOnFailure(string? holdOnFailure) =>
        holdOnFailure is null || HoldOnFailureModes.All.Contains(holdOnFailure)
            ? null
            : $"hold_on_failure is one of {string.Join(", ", HoldOnFailureModes.All)}, not '{(holdOnFailure.Length > 40 ? holdOnFailure[..40] + "…" : holdOnFailure)}': "
              + "off holds nothing; ssh holds a failed node for whom an SSH rerun lets in (the triggerer); write lets every write member in.";

    /// <summary>
    /// Applies the settings given; a null leaves one as it is. When nobody may come in through open access any more
    /// (<c>debug_open_access</c> or <c>debug_enabled</c> off), the project's debug runs lose their open-access token: their
    /// nodes end open access at the next heartbeat (<c>HeartbeatReply.OpenAccess</c>), the SSH view stops showing the
    /// command, and switching it on again lets nobody in with it for the rest of those runs.
    /// </summary>
    public static async Task ApplyAsync(PortholeDb db, Project project, ProjectSettingsRequest changes, CancellationToken ct)
    {
        project.DebugEnabled = changes.DebugEnabled ?? project.DebugEnabled;
        project.SshWriteMembers = changes.SshWriteMembers ?? project.SshWriteMembers;
        project.DebugOpenAccess = changes.DebugOpenAccess ?? project.DebugOpenAccess;
        project.RetryLostNodes = changes.RetryLostNodes ?? project.RetryLostNodes;
        project.HoldOnFailure = changes.HoldOnFailure ?? project.HoldOnFailure;
        project.SshPortForwarding = changes.SshPortForwarding ?? project.SshPortForwarding;
        project.SessionRecording = changes.SessionRecording ?? project.SessionRecording;
        await db.SaveChangesAsync(ct);
        if (!project.DebugEnabled || !project.DebugOpenAccess)
        {
            var jobs = from j in db.Jobs join p in db.Pipelines on j.PipelineId equals p.Id where p.ProjectId == project.Id select j.Id;
            await db.Attempts
                .Where(a => a.OpenAccessToken != null && jobs.Contains(a.JobId))
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.OpenAccessToken, (string?)null), ct);
        }
    }
}
