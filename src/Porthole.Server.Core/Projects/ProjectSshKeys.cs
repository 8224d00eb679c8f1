using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Plans;
using Porthole.Contracts.Runners;
using Porthole.Data;

namespace Porthole.Server.Projects;

/// <summary>A project's additional SSH keys (§A5 <c>add_ssh_keys</c>) as a lease hands them to the runner; <c>SshKeysApi</c> adds, lists and deletes them.</summary>
public static class ProjectSshKeys
{
    /// <summary>
    /// The project's keys that a job's <c>add_ssh_keys</c> steps ask for: none without such a step, all of them when a step
    /// lists no fingerprint, else those a step names (MD5 with or without <c>MD5:</c>, or SHA256), in the order added.
    /// </summary>
    public static async Task<List<AdditionalSshKey>> ForJobAsync(PortholeDb db, long projectId, JobPlan plan, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(plan);
        var steps = plan.Steps.Where(s => s.Kind == StepKind.AddSshKeys).Select(s => s.AddSshKeys?.Fingerprints ?? []).ToList();
        if (steps.Count == 0)
        {
            return [];
        }

        var all = steps.Any(f => f.Count == 0);
        var keys = await db.ProjectSshKeys.Where(k => k.ProjectId == projectId).OrderBy(k => k.Id).ToListAsync(ct);
        return [.. keys
            .Where(k => all || steps.Any(f => f.Any(fingerprint => Matches(k, fingerprint))))
            .Select(k => new AdditionalSshKey(k.Md5, k.Sha256, k.Host, k.PrivateKey))];
    }

    /// <summary>Whether <paramref name="fingerprint"/> (MD5 with or without <c>MD5:</c>, or SHA256) names <paramref name="key"/>.</summary>
    public static bool Matches(ProjectSshKeyRecord key, string fingerprint) =>
        new AdditionalSshKey(key.Md5, key.Sha256, key.Host, string.Empty).Matches(fingerprint);
}
