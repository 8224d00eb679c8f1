using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.Travis.Matrix;

/// <summary>
/// Whether a job matches a jobs.exclude entry (§B9 step 7, TY <c>matrix/exclude.rb</c>) or a jobs.allow_failures entry
/// (TY <c>configs/allow_failures.rb</c>). Both need every key of the entry to match and compare env without the global
/// env; they differ in the rest, as Travis's code does.
/// </summary>
internal sealed class JobMatching(MatrixRoot root, NodeIdentity identity, ConditionCheck accept)
{
    private readonly HashSet<int> _global = [.. root.Env.Global.Select(identity.OfEnvEntry)];

    /// <summary>
    /// Exclude: env is the exact list without the global env; <c>stage</c> is the job's stage, or <c>test</c> for a job
    /// with none; any other key compares as a list (<c>Array(job[k]) == Array(v)</c>), so <c>rvm: 2.7</c> matches
    /// <c>rvm: [2.7]</c>. An entry's <c>if:</c> must hold too.
    /// </summary>
    public bool Excludes(MatchEntry entry, MatrixJob job)
    {
        foreach (var (key, value) in entry.Keys.Entries.Select(item => (item.Name, item.Value)))
        {
            var matches = key == "stage"
                ? value is ScalarNode stage && (job.StageName == stage.Value || (job.StageName is null && stage.Value.Equals("test", StringComparison.OrdinalIgnoreCase)))
                : Wrapped(job.Keys.Get(key)).SequenceEqual(Wrapped(value));
            if (!matches)
            {
                return false;
            }
        }

        if (entry.Env is not null && (job.Env is null || !WithoutGlobal(job.Env).SequenceEqual(entry.Env.Select(identity.OfEnvEntry))))
        {
            return false;
        }

        return Holds(entry, job);
    }

    /// <summary>
    /// Allow failures: every key equal exactly (<c>job[k] == v</c>: a list never equals one value); <c>branch</c> is the
    /// build's branch; env as for exclude, or (travis-yml's workaround) differing only by global variables the entry lists.
    /// </summary>
    public bool AllowsFailure(MatchEntry entry, MatrixJob job)
    {
        foreach (var (key, value) in entry.Keys.Entries.Select(item => (item.Name, item.Value)))
        {
            var matches = key == "branch"
                ? value is ScalarNode branch && BranchIs(branch, job)
                : job.Keys.Get(key) is { } own && identity.Of(own) == identity.Of(value);
            if (!matches)
            {
                return false;
            }
        }

        if (entry.Env is not null && !EnvMatches(job.Env, entry.Env))
        {
            return false;
        }

        return Holds(entry, job);
    }

    private bool EnvMatches(IReadOnlyList<Node>? env, IReadOnlyList<Node> wanted)
    {
        if (env is null)
        {
            return false;
        }

        var own = WithoutGlobal(env).ToList();
        var want = wanted.Select(identity.OfEnvEntry).ToList();
        if (own.SequenceEqual(want))
        {
            return true;
        }

        var others = want.Where(id => !own.Contains(id)).ToList();
        return others.Count > 0 && others.All(_global.Contains);
    }

    private bool Holds(MatchEntry entry, MatrixJob job) => entry.If is null || accept(entry.If.Value, entry.If, job.ToConfig());

    /// <summary>The deprecated <c>branch:</c> of allow_failures, asked of the trigger as the condition <c>branch = '…'</c>.</summary>
    private bool BranchIs(ScalarNode branch, MatrixJob job)
    {
        var quote = branch.Value.Contains('\'', StringComparison.Ordinal) ? '"' : '\'';
        return !branch.Value.Contains(quote, StringComparison.Ordinal) && accept($"branch = {quote}{branch.Value}{quote}", branch, job.ToConfig());
    }

    private IEnumerable<int> WithoutGlobal(IReadOnlyList<Node> env) => env.Select(identity.OfEnvEntry).Where(id => !_global.Contains(id));

    private IEnumerable<int> Wrapped(Node? value) => value switch
    {
        null => [],
        ListNode list => list.Items.Select(identity.Of),
        _ => [identity.Of(value)],
    };
}
