using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Api;
using Porthole.Contracts.Ssh;
using Porthole.Server.Accounts;
using Porthole.Data;

namespace Porthole.Server.Ssh;

/// <summary>
/// Who may enter an SSH node, decided afresh at each heartbeat so that a removed key, a removed member or a
/// switched-off project closes sessions at once (R-SSH-11), and why a key offered to a node was refused (R-SSH-4).
/// </summary>
public static class SshAccess
{
    /// <summary>
    /// The keys an SSH node of <paramref name="project"/> requested by <paramref name="requesterId"/> accepts now. The
    /// requester's keys (and, when the project's <see cref="Project.SshWriteMembers"/> is on, its write members' keys)
    /// may type, as long as their owner has write access. In a <paramref name="debug"/> run the project's other members
    /// with at least read access may also watch the shared session (R-DBG-7): their keys are granted
    /// <see cref="SshGrant.ReadOnly"/>, write members' too when the project does not let write members in. The keys of
    /// the browser terminals open on the node (<paramref name="webTerminals"/>, R-WEB-2) are granted <see cref="SshGrant.Web"/>
    /// by the same rules, as if they were their users' own keys, and read-only too when the terminal asked for no more.
    /// </summary>
    /// <param name="attempt">
    /// The attempt: an SSH rerun, a debug run (<see cref="AttemptRecord.Debug"/>), or an attempt of the job itself whose
    /// node was held on failure (R-BEY-1; not <see cref="AttemptRecord.Ssh"/>), where its requester is the triggerer.
    /// </param>
    public static async Task<IReadOnlyList<SshGrant>> GrantsAsync(
        PortholeDb db, Project project, AttemptRecord attempt, IReadOnlyCollection<WebTerminalGrant> webTerminals, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(webTerminals);
        ArgumentNullException.ThrowIfNull(attempt);
        var (requesterId, debug) = (attempt.RequestedBy, attempt.Debug);
        if (!project.DebugEnabled)
        {
            return [];
        }

        // Members only: a public project's readers who are not members, and server admins who are not, watch nothing.
        // Three queries whatever the number of members: this runs at every heartbeat of every SSH node.
        var roles = await db.Memberships.Where(m => m.ProjectId == project.Id).ToDictionaryAsync(m => m.UserId, m => m.Role, ct);
        var members = debug || WriteMembersEnter(project, attempt) ? roles.Keys.Order() : Enumerable.Empty<long>();
        var candidates = members.Prepend(requesterId).Concat(webTerminals.Select(w => w.UserId)).Distinct().ToList();
        var users = await db.Users.Where(u => candidates.Contains(u.Id)).ToDictionaryAsync(u => u.Id, ct);
        var keys = await db.SshKeys.Where(k => candidates.Contains(k.UserId)).OrderBy(k => k.Id).ToListAsync(ct);

        var grants = new List<SshGrant>();
        foreach (var userId in candidates)
        {
            if (!users.TryGetValue(userId, out var user))
            {
                continue;
            }

            var level = LevelOf(project, attempt, user, roles.GetValueOrDefault(userId));
            if (level == SshAccessLevel.None)
            {
                continue;
            }

            var readOnly = level == SshAccessLevel.ReadOnly;
            grants.AddRange(keys.Where(k => k.UserId == userId).Select(k => new SshGrant(user.Id, user.Name, k.Fingerprint, k.PublicKey, readOnly)));
            grants.AddRange(webTerminals.Where(w => w.UserId == userId)
                .Select(w => new SshGrant(user.Id, user.Name, w.Fingerprint, w.PublicKey, readOnly || w.ReadOnly, Web: true)));
        }

        return grants;
    }

    /// <summary>
    /// What <paramref name="user"/> may do on an SSH node of <paramref name="project"/> requested by
    /// <paramref name="requesterId"/>, by the rules of <see cref="GrantsAsync"/>: type, only watch (a debug run's members),
    /// or nothing.
    /// </summary>
    public static async Task<SshAccessLevel> LevelOfAsync(PortholeDb db, Project project, AttemptRecord attempt, User user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(user);
        var role = await db.Memberships
            .Where(m => m.ProjectId == project.Id && m.UserId == user.Id)
            .Select(m => m.Role)
            .FirstOrDefaultAsync(ct);
        return LevelOf(project, attempt, user, role);
    }

    /// <summary>
    /// Whether every write member may type on the attempt's nodes, not only its requester: the project lets write members
    /// into SSH nodes (<see cref="Project.SshWriteMembers"/>), or the attempt is the job's own, held on failure, and the
    /// project's <c>hold_on_failure</c> is <c>write</c> (R-BEY-1).
    /// </summary>
    public static bool WriteMembersEnter(Project project, AttemptRecord attempt)
    {
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(attempt);
        return project.SshWriteMembers || (!attempt.Ssh && project.HoldOnFailure == HoldOnFailureModes.Write);
    }

    /// <param name="membershipRole">The user's role as a member of the project; null when not a member.</param>
    private static SshAccessLevel LevelOf(Project project, AttemptRecord attempt, User user, string? membershipRole)
    {
        if (!project.DebugEnabled)
        {
            return SshAccessLevel.None;
        }

        var debug = attempt.Debug;
        var writeMembers = WriteMembersEnter(project, attempt);
        var isRequester = user.Id == attempt.RequestedBy;
        var isMember = membershipRole is not null;
        if (!isRequester && !(isMember && (debug || writeMembers)))
        {
            return SshAccessLevel.None;
        }

        var rank = Roles.Rank(ProjectAccess.RoleOf(project, user.IsAdmin, membershipRole));
        if ((isRequester || writeMembers) && rank >= Roles.Rank(Roles.Write))
        {
            return SshAccessLevel.ReadWrite;
        }

        return debug && isMember && rank >= Roles.Rank(Roles.Read) ? SshAccessLevel.ReadOnly : SshAccessLevel.None;
    }

    /// <summary>Why a node refused a key, in words the job page and <c>porthole ssh doctor</c> can show as they are.</summary>
    /// <param name="attempt">The attempt; in a debug run members who may read are let in to watch (R-DBG-7).</param>
    public static async Task<string> RefusalReasonAsync(PortholeDb db, Project project, AttemptRecord attempt, string? fingerprint, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        var (requesterId, debug) = (attempt.RequestedBy, attempt.Debug);
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

        var ownerMayWatch = debug
            && await IsMemberAsync(db, project, owner.Id, ct)
            && await ProjectAccess.CanAsync(db, project, new CurrentUser(owner.Id, owner.Name, owner.IsAdmin), Roles.Read, ct);
        if (owner.Id == requesterId)
        {
            return ownerCanWrite || ownerMayWatch
                ? "registered to the requester, but not accepted when offered (it was added or removed while the node ran)"
                : "registered to the requester, who no longer has write access to this project";
        }

        if (ownerMayWatch)
        {
            // Any member may watch a debug run read-only: the key was not granted when it was offered.
            return $"registered to {owner.Name}, a member who may watch this debug run read-only, but not accepted when offered (it was added while the node ran)";
        }

        if (!ownerCanWrite)
        {
            return debug
                ? "registered to another user, who is not a member of this project (members may watch a debug run read-only)"
                : "registered to another user, who has no write access to this project";
        }

        if (WriteMembersEnter(project, attempt))
        {
            return $"registered to {owner.Name}, a write member, but not accepted when offered (it was added while the node ran)";
        }

        return attempt.Ssh
            ? $"not the requester's key: it is registered to {owner.Name}, and this project accepts only the requester's keys"
            : $"not the triggerer's key: it is registered to {owner.Name}, and this project's held nodes accept only the keys of who triggered the pipeline (hold_on_failure is ssh; write lets every write member in)";
    }

    private static Task<bool> IsMemberAsync(PortholeDb db, Project project, long userId, CancellationToken ct) =>
        db.Memberships.AnyAsync(m => m.ProjectId == project.Id && m.UserId == userId, ct);
}

/// <summary>What a user may do on an SSH node (<see cref="SshAccess.LevelOfAsync"/>).</summary>
public enum SshAccessLevel
{
    None,

    /// <summary>Watch a debug run's shared session, read-only (R-DBG-7).</summary>
    ReadOnly,

    ReadWrite,
}
