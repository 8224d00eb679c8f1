using Microsoft.EntityFrameworkCore;
using Porthole.Server.Accounts;
using Porthole.Data;

namespace Porthole.Server.Web.Pages;

/// <summary>Why the signed-in user may not do an action; the page shows the reason where the button would be.</summary>
public enum ActionRefusal
{
    ReadOnly,
    DebugDisabled,
    NoKey,
}

/// <summary>
/// What the signed-in user may do with a project's pipelines from the web, decided by the same facts the API's checks
/// use (<see cref="Ssh.SshRerun"/>, <see cref="Debug.DebugStarter"/>, <see cref="Api.Lookups"/>): the role, the project's
/// <c>debug_enabled</c>, and whether the user has an SSH key. The pages only choose between a button and its reasons;
/// the form's handler goes through the service, which checks again.
/// </summary>
public sealed record ProjectPermissions(string Role, bool DebugEnabled, bool HasKey)
{
    public bool CanWrite => Roles.Rank(Role) >= Roles.Rank(Roles.Write);

    public bool IsAdmin => Role == Roles.Admin;

    /// <summary>Trigger, rerun and cancel.</summary>
    public IReadOnlyList<ActionRefusal> Change => CanWrite ? [] : [ActionRefusal.ReadOnly];

    /// <summary>Rerun job with SSH and Debug job: every reason that applies, so that one look says what to fix.</summary>
    public IReadOnlyList<ActionRefusal> Ssh
    {
        get
        {
            var reasons = new List<ActionRefusal>();
            if (!CanWrite)
            {
                reasons.Add(ActionRefusal.ReadOnly);
            }

            if (!DebugEnabled)
            {
                reasons.Add(ActionRefusal.DebugDisabled);
            }

            if (!HasKey)
            {
                reasons.Add(ActionRefusal.NoKey);
            }

            return reasons;
        }
    }

    public static async Task<ProjectPermissions> ForAsync(PortholeDb db, Project project, CurrentUser user, CancellationToken ct) => new(
        await ProjectAccess.RoleOfAsync(db, project, user, ct) ?? "",
        project.DebugEnabled,
        await db.SshKeys.AnyAsync(k => k.UserId == user.Id, ct));
}
