using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Ssh;
using Porthole.Server.Accounts;
using Porthole.Server.Data;

namespace Porthole.Server.Ssh;

/// <summary>
/// Who may enter an SSH node, decided afresh at each heartbeat so that a removed key, a removed member or a
/// switched-off project closes sessions at once (R-SSH-11), and why a key offered to a node was refused (R-SSH-4).
/// </summary>
public static class SshAccess
{
    /// <summary>The keys an SSH node of <paramref name="project"/> requested by <paramref name="requesterId"/> accepts now.</summary>
    public static async Task<IReadOnlyList<SshGrant>> GrantsAsync(PortholeDb db, Project project, long requesterId, CancellationToken ct)
    {
        if (!project.DebugEnabled)
        {
            return [];
        }

        var userIds = new List<long> { requesterId };
        if (project.SshWriteMembers)
        {
            userIds.AddRange(await db.Memberships
                .Where(m => m.ProjectId == project.Id && (m.Role == Roles.Write || m.Role == Roles.Admin))
                .Select(m => m.UserId)
                .ToListAsync(ct));
        }

        var grants = new List<SshGrant>();
        foreach (var userId in userIds.Distinct())
        {
            var user = await db.Users.SingleOrDefaultAsync(u => u.Id == userId, ct);
            if (user is null || !await ProjectAccess.CanAsync(db, project, new CurrentUser(user.Id, user.Name, user.IsAdmin), Roles.Write, ct))
            {
                continue;
            }

            var keys = await db.SshKeys.Where(k => k.UserId == userId).OrderBy(k => k.Id).ToListAsync(ct);
            grants.AddRange(keys.Select(k => new SshGrant(user.Id, user.Name, k.Fingerprint, k.PublicKey)));
        }

        return grants;
    }

    /// <summary>Why a node refused a key, in words the job page and <c>porthole ssh doctor</c> can show as they are.</summary>
    public static async Task<string> RefusalReasonAsync(PortholeDb db, Project project, long requesterId, string? fingerprint, CancellationToken ct)
    {
        if (fingerprint is null)
        {
            // sshd refuses a wrong login name before it looks at any key.
            return "refused before any key was checked: the login name was wrong; use the user of the Enable SSH command (ssh -p PORT USER@HOST)";
        }

        var key = await db.SshKeys.SingleOrDefaultAsync(k => k.Fingerprint == fingerprint, ct);
        if (key is null)
        {
            return "not registered to any user: add it with porthole keys add FILE.pub";
        }

        var owner = await db.Users.SingleAsync(u => u.Id == key.UserId, ct);
        var ownerCanWrite = await ProjectAccess.CanAsync(db, project, new CurrentUser(owner.Id, owner.Name, owner.IsAdmin), Roles.Write, ct);
        if (!project.DebugEnabled)
        {
            return "SSH is switched off for this project (debug_enabled is off)";
        }

        if (owner.Id == requesterId)
        {
            return ownerCanWrite
                ? "registered to the requester, but not accepted when offered (it was added or removed while the node ran)"
                : "registered to the requester, who no longer has write access to this project";
        }

        if (!ownerCanWrite)
        {
            return "registered to another user, who has no write access to this project";
        }

        return project.SshWriteMembers
            ? $"registered to {owner.Name}, a write member, but not accepted when offered (it was added while the node ran)"
            : $"not the requester's key: it is registered to {owner.Name}, and this project accepts only the requester's keys";
    }
}
