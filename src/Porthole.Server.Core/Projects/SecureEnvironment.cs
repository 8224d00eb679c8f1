using Porthole.Contracts.Plans;
using Porthole.Pipeline.Travis;
using Porthole.Data;
using RunnerVariable = Porthole.Contracts.Runners.ProjectVariable;

namespace Porthole.Server.Projects;

/// <summary>
/// A Travis job's <c>secure:</c> env values (dialects.md §B12), decrypted when one of its nodes is leased with the
/// project's key (never made here: a project without a key has no value encrypted for it). Each value's plaintext is
/// <c>NAME=value</c> words, which become secret variables (masked in the log). A value that cannot be decrypted (made for
/// travis-ci.com's key, or any other) is withheld as Travis withholds secure values from a fork's pull request: the job
/// runs without it, <c>TRAVIS_SECURE_ENV_VARS</c> is false, and the log says where the value is. Neither ciphertext nor
/// plaintext is ever put in a message.
/// </summary>
public static class SecureEnvironment
{
    /// <summary>The decrypted variables in the plan's order, whether any value was withheld, and the lines for the job's log.</summary>
    public sealed record Resolution(IReadOnlyList<RunnerVariable> Variables, bool Withheld, IReadOnlyList<string> Notices)
    {
        /// <summary>
        /// Travis's <c>TRAVIS_SECURE_ENV_VARS</c> (travis-build <c>Env#secure_env_vars?</c>): true when the job has secure
        /// variables, from its config or the project's secret ones, and none was withheld.
        /// </summary>
        public bool Available(IEnumerable<RunnerVariable> projectVariables) =>
            !Withheld && (Variables.Count > 0 || projectVariables.Any(variable => variable.Secret));
    }

    private static readonly Resolution Nothing = new([], false, []);

    /// <summary>The job's secure values resolved for <paramref name="projectId"/>; <paramref name="configPath"/> names the config in the log's lines.</summary>
    public static async Task<Resolution> ResolveAsync(PortholeDb db, long projectId, string configPath, JobPlan plan, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.SecureEnvironment.Count == 0)
        {
            return Nothing;
        }

        using var key = await ProjectKeys.FindAsync(db, projectId, ct);
        var variables = new List<RunnerVariable>();
        var notices = new List<string>();
        foreach (var value in plan.SecureEnvironment)
        {
            var place = $"{configPath}:{value.Line}:{value.Column}";
            var plaintext = key is null ? null : SecureValues.Decrypt(key, value.Ciphertext);
            if (plaintext is null)
            {
                notices.Add($"secure value at {place} cannot be decrypted (encrypted for travis-ci.com); define the variable in project settings or re-encrypt with 'porthole encrypt'");
                continue;
            }

            if (TravisEnvLine.Variables(plaintext) is not { } words)
            {
                notices.Add($"secure value at {place} decrypts to text that is not NAME=value; re-encrypt it with 'porthole encrypt PROJECT NAME=value'");
                continue;
            }

            variables.AddRange(words.Select(word => new RunnerVariable(word.Key, word.Value, Secret: true)));
        }

        return new Resolution(variables, notices.Count > 0, notices);
    }
}
