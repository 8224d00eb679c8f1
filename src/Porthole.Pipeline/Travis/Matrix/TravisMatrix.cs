using System.Numerics;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.Travis.Matrix;

/// <summary>
/// Computes a Travis build's jobs and stages exactly as Travis does (§B9, §B10; TY <c>matrix.rb</c> and
/// <c>configs/configs.rb#load</c>): expand the matrix, assign stages, mark the jobs allowed to fail, reorder.
/// </summary>
internal static class TravisMatrix
{
    /// <summary>Travis's limit of jobs in one build (TD <c>build-matrix.md</c>).</summary>
    public const int TravisMaxJobs = 200;

    /// <summary>
    /// How far past the limit the raw expansion may go before it stops: Travis counts jobs after exclude, so a matrix a
    /// little larger than the limit may still fit, but none this much larger does in practice.
    /// </summary>
    private const int ExpansionAllowance = 25;

    /// <summary>Comparisons of jobs with exclude and allow_failures entries a build may need; real builds need thousands.</summary>
    private const long MatchingBudget = 10_000_000;

    private static readonly ScalarNode True = NodeFactory.Scalar(Position.Start, "true", plain: true);

    /// <summary>
    /// The build of <paramref name="root"/>. <paramref name="accept"/> decides every <c>if:</c> (jobs.include, exclude,
    /// allow_failures entries and stages). Past <paramref name="maxJobs"/> jobs the build has no jobs and an error at the
    /// root names the count and the limit; the expansion stops early rather than make a huge matrix.
    /// </summary>
    public static TravisBuild Expand(MapNode root, ConditionCheck accept, int maxJobs, ErrorList errors)
    {
        var config = MatrixRoot.Read(root, errors);
        var empty = new TravisBuild([], [], config.Jobs.FastFinish);
        var raw = config.Axes.Count == 0 ? BigInteger.Zero : config.Axes.Aggregate(BigInteger.One, (product, axis) => product * axis.Values.Count);
        var total = raw + config.Jobs.Includes.Count;
        if (total > (BigInteger)maxJobs * ExpansionAllowance)
        {
            errors.Add(root, $"the build matrix expands to {total} jobs ({Sizes(config)}); Travis allows at most {maxJobs} jobs in a build");
            return empty;
        }

        var entries = config.Jobs.Excludes.Count + config.Jobs.AllowFailures.Count;
        if (total * entries > MatchingBudget)
        {
            errors.Add(root, $"the build matrix of {total} jobs and {entries} exclude and allow_failures entries is too large to compute; Travis allows at most {maxJobs} jobs in a build");
            return empty;
        }

        var identity = new NodeIdentity();
        var jobs = new MatrixExpansion(config, identity, accept, errors).Jobs();
        var stages = StageAssignment.Apply(config, jobs, accept);
        AllowFailures(config, jobs, identity, accept);
        var ordered = Reordered(stages, jobs, identity);
        if (ordered.Count > maxJobs)
        {
            errors.Add(root, $"the build has {ordered.Count} jobs; Travis allows at most {maxJobs} jobs in a build");
            return empty;
        }

        return new TravisBuild(
            stages,
            [.. ordered.Select(job => new TravisJobConfig(job.ToConfig(), [.. config.Env.Global.Where(MatrixExpansion.HasVariables)], job.Stage!, job.AllowFailure, Name(job), job.At))],
            config.Jobs.FastFinish);
    }

    /// <summary>TY <c>configs/allow_failures.rb</c>: an include's <c>allow_failure: true</c>, or any matching entry whose <c>if:</c> holds.</summary>
    private static void AllowFailures(MatrixRoot config, List<MatrixJob> jobs, NodeIdentity identity, ConditionCheck accept)
    {
        var matching = new JobMatching(config, identity, accept);
        foreach (var job in jobs)
        {
            job.AllowFailure = job.Keys.Get("allow_failure") is ScalarNode flag && identity.Of(flag) == identity.Of(True);
            foreach (var entry in config.Jobs.AllowFailures)
            {
                job.AllowFailure = job.AllowFailure || matching.AllowsFailure(entry, job);
            }
        }
    }

    /// <summary>TY <c>configs/reorder.rb</c> then <c>uniq</c>: by stage, jobs allowed to fail last, then as they were; duplicates dropped.</summary>
    private static List<MatrixJob> Reordered(IReadOnlyList<TravisStage> stages, List<MatrixJob> jobs, NodeIdentity identity)
    {
        var stageIndex = stages.Select((stage, index) => (stage.Name, index)).ToDictionary(StringComparer.OrdinalIgnoreCase);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return
        [
            .. jobs.Select((job, index) => (job, index))
                .OrderBy(item => stageIndex.GetValueOrDefault(item.job.Stage!))
                .ThenBy(item => item.job.AllowFailure ? 1 : 0)
                .ThenBy(item => item.index)
                .Select(item => item.job)
                .Where(job => seen.Add(identity.OfJob(job.Keys, job.Env, job.AllowFailure ? "allow_failure" : ""))),
        ];
    }

    /// <summary>What the expansion is made of: "3 os × 2 rvm + 4 included".</summary>
    private static string Sizes(MatrixRoot config)
    {
        var axes = string.Join(" × ", config.Axes.Select(axis => $"{axis.Values.Count} {axis.Name}"));
        var included = config.Jobs.Includes.Count == 0 ? "" : $"{config.Jobs.Includes.Count} included";
        return axes.Length > 0 && included.Length > 0 ? $"{axes} + {included}" : axes + included;
    }

    private static string? Name(MatrixJob job) => job.Keys.Get("name") is ScalarNode { IsNull: false } name ? name.Value : null;
}
