using Porthole.Pipeline.Travis.Conditions;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.Travis;

/// <summary>
/// Decides the build's <c>if:</c> conditions (§B11) for the build matrix (<see cref="Matrix.ConditionCheck"/>): each is
/// parsed once; one that does not parse, or cannot be decided (a regex that times out), is false — its job or stage is
/// skipped — and a warning says why. Without a trigger every condition is taken as true, with one warning.
/// </summary>
internal sealed class TravisConditions(MapNode root, TravisRequest request, ErrorList errors)
{
    private readonly Dictionary<Node, TravisCondition?> _parsed = new(ReferenceEqualityComparer.Instance);
    private bool _warnedUnknown;

    public bool Accept(string condition, Node at, MapNode? job)
    {
        if (!_parsed.TryGetValue(at, out var parsed))
        {
            parsed = TravisCondition.Parse(condition, out var error);
            _parsed[at] = parsed;
            if (error is not null)
            {
                errors.Warn(at, $"if: {Shorten(condition)} does not parse ({error.Message}); what it guards is skipped, as on Travis");
            }
        }

        if (parsed is null)
        {
            return false;
        }

        if (!request.Known)
        {
            if (!_warnedUnknown)
            {
                _warnedUnknown = true;
                errors.Warn(at, "if: conditions are decided when a pipeline is triggered; here every one is taken as true");
            }

            return true;
        }

        var accepted = parsed.Evaluate(request.ForConfig(job ?? root, Variables(job ?? root, isRoot: job is null)), out var problem);
        if (problem is not null)
        {
            errors.Warn(at, $"if: {Shorten(condition)} could not be decided ({problem}); what it guards is skipped");
        }

        return accepted;
    }

    /// <summary>
    /// The variables <c>env(NAME)</c> reads: a job's env (global first), or for the root every env the config defines.
    /// Read quietly: the config's own errors are reported where its env is read for the jobs.
    /// </summary>
    private static Dictionary<string, string> Variables(MapNode config, bool isRoot)
    {
        var quiet = new ErrorList(".travis.yml");
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        var env = config.Get("env");
        IEnumerable<EnvWord> words;
        if (isRoot)
        {
            var (global, matrix) = TravisEnvReader.ReadRoot(env, quiet);
            words = global.Concat(matrix.SelectMany(entry => entry.Words));
        }
        else
        {
            words = TravisEnvReader.ReadJob(env, quiet)?.Words ?? [];
        }

        foreach (var word in words)
        {
            variables[word.Name] = word.Value;
        }

        return variables;
    }

    private static string Shorten(string condition) => condition.Length > 120 ? condition[..120] + "…" : condition;
}
