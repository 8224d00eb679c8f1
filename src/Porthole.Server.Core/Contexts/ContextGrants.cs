using Microsoft.EntityFrameworkCore;
using Porthole.Server.Accounts;
using Porthole.Data;
using RunnerVariable = Porthole.Contracts.Runners.ProjectVariable;

namespace Porthole.Server.Contexts;

/// <summary>
/// Whether a job may use the contexts its plan names (dialects.md §A6), decided when one of its nodes is leased, so that
/// a job that may not never runs: each context must exist, and the user who started the attempt (whoever triggered the
/// pipeline, or reran the job) must be a member of the job's project with at least the context's role. Server admins
/// may use every context, as they have every project's admin role. When it may, the contexts' variables are given in
/// the plan's order (a later context wins a name), each marked with its context.
/// </summary>
public static class ContextGrants
{
    /// <summary>The contexts' variables, or why the job may not use them (one sentence, for the node's log and message).</summary>
    public sealed record Decision(IReadOnlyList<RunnerVariable> Variables, string? Refusal);

    private static readonly Decision Nothing = new([], null);

    public static async Task<Decision> DecideAsync(PortholeDb db, IReadOnlyList<string> contexts, Project project, AttemptRecord attempt, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(contexts);
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(attempt);
        if (contexts.Count == 0)
        {
            return Nothing;
        }

        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == attempt.RequestedBy, ct);
        var membership = user is null
            ? null
            : await db.Memberships.Where(m => m.ProjectId == project.Id && m.UserId == user.Id).Select(m => m.Role).SingleOrDefaultAsync(ct);
        var role = user is { IsAdmin: true } ? Roles.Admin : membership;
        var variables = new List<RunnerVariable>();
        foreach (var name in contexts.Distinct(StringComparer.Ordinal))
        {
            if (ContextNames.Problem(name) is { } invalid)
            {
                return Refused($"the job names a context that cannot exist: {invalid}");
            }

            var context = await db.Contexts.SingleOrDefaultAsync(c => c.Name == name, ct);
            if (context is null)
            {
                return Refused($"context '{name}' does not exist: a server admin creates it with 'porthole context create {name}'");
            }

            if (Roles.Rank(role) < Roles.Rank(context.Role))
            {
                return Refused($"context '{name}' requires the {context.Role} role; {Starter(attempt, user, membership, project)}");
            }

            var values = await db.ContextVariables.Where(v => v.ContextId == context.Id).OrderBy(v => v.Name).ToListAsync(ct);
            variables.AddRange(values.Select(v => new RunnerVariable(v.Name, v.Value, v.Secret) { Context = name }));
        }

        return new Decision(variables, null);
    }

    private static Decision Refused(string reason) => new([], reason);

    /// <summary><c>the pipeline was triggered by alice (read)</c>: who started the attempt, and their role in the project.</summary>
    private static string Starter(AttemptRecord attempt, User? user, string? membership, Project project)
    {
        var how = attempt.Reason == "trigger" ? "the pipeline was triggered by" : "the job was rerun by";
        var who = user?.Name ?? $"user {attempt.RequestedBy}, who no longer exists";
        return $"{how} {who} ({membership ?? $"not a member of project {project.Name}"})";
    }
}
