using Porthole.Contracts.Api;
using Porthole.Server.Data;

namespace Porthole.Server.Projects;

/// <summary>
/// A project's SSH settings (R-AC-3, R-DBG-7): <c>debug_enabled</c>, <c>ssh_write_members</c>, <c>debug_open_access</c>.
/// Shared by the API (PUT /api/projects/NAME/settings) and the web's project settings page; the caller checks the admin role.
/// </summary>
public static class ProjectSettings
{
    /// <summary>Applies the settings given; a null leaves one as it is.</summary>
    public static async Task ApplyAsync(PortholeDb db, Project project, ProjectSettingsRequest changes, CancellationToken ct)
    {
        project.DebugEnabled = changes.DebugEnabled ?? project.DebugEnabled;
        project.SshWriteMembers = changes.SshWriteMembers ?? project.SshWriteMembers;
        project.DebugOpenAccess = changes.DebugOpenAccess ?? project.DebugOpenAccess;
        await db.SaveChangesAsync(ct);
    }
}
