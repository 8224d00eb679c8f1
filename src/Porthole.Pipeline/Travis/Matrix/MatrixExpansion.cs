using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.Travis.Matrix;

/// <summary>
/// travis-yml's <c>Matrix#jobs</c> (§B9 steps 1 to 8): expand the root's matrix keys, add the included jobs, give each
/// job the shared keys and the first value of every axis, its env with the global env first, then drop excluded,
/// unsupported, duplicate and conditional jobs.
/// </summary>
internal sealed class MatrixExpansion(MatrixRoot root, NodeIdentity identity, ConditionCheck accept, ErrorList errors)
{
    private readonly JobMatching _matching = new(root, identity, accept);

    public List<MatrixJob> Jobs()
    {
        var expanded = Expand();
        var included = IncludedJobs.Read(root.Jobs.Includes, errors);

        // Step 2's special case: one expanded job (every axis one value) and some includes: the includes alone are the build.
        var jobs = expanded.Count == 1 && included.Count > 0 ? included : [.. expanded, .. included];
        if (jobs.Count == 0)
        {
            jobs.Add(new MatrixJob(root.Node, new KeyedNodes()));
        }

        foreach (var job in jobs)
        {
            job.Keys = root.Global.MergedWith(root.Shared.MergedWith(job.Keys));
            WithEnv(job);
        }

        jobs.RemoveAll(job => root.Jobs.Excludes.Any(entry => _matching.Excludes(entry, job)));
        foreach (var job in jobs)
        {
            var supporting = Supporting.Of(job.Keys);
            job.Keys = job.Keys.Where(entry => MatrixSupport.Supported(entry.Name, entry.Value, supporting));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        jobs.RemoveAll(job => !seen.Add(identity.OfJob(job.Keys, job.Env)));
        jobs.RemoveAll(job => job.Keys.Get("if") is ScalarNode { IsNull: false } condition && !accept(condition.Value, condition, job.ToConfig()));
        return jobs;
    }

    /// <summary>Step 1: the Cartesian product of the axes' values, the first axis outermost.</summary>
    private List<MatrixJob> Expand()
    {
        var jobs = new List<MatrixJob>();
        var axes = root.Axes;
        if (axes.Count == 0)
        {
            return jobs;
        }

        var index = new int[axes.Count];
        while (true)
        {
            var job = new MatrixJob(root.Node, new KeyedNodes());
            for (var i = 0; i < axes.Count; i++)
            {
                var value = axes[i].Values[index[i]];
                if (axes[i].Name == MatrixKeys.Env)
                {
                    job.Env = [value];
                    job.EnvAt = root.Env.At;
                }
                else
                {
                    job.Keys.Set(new MapEntry(axes[i].Key.Key, value));
                }
            }

            jobs.Add(job);
            var axis = axes.Count - 1;
            while (axis >= 0 && ++index[axis] == axes[axis].Values.Count)
            {
                index[axis] = 0;
                axis--;
            }

            if (axis < 0)
            {
                return jobs;
            }
        }
    }

    /// <summary>
    /// Step 6: entries without variables are dropped; a job with no env key gets the first env.jobs entry (legacy); the
    /// global entries go first in every job, each entry once.
    /// </summary>
    private void WithEnv(MatrixJob job)
    {
        if (job.Env is not null)
        {
            job.Env = [.. job.Env.Where(HasVariables)];
        }
        else if (root.Env.Jobs.Count > 0)
        {
            job.Env = HasVariables(root.Env.Jobs[0]) ? [root.Env.Jobs[0]] : [];
            job.EnvAt = root.Env.At;
        }

        if (root.Env.Global.Count > 0)
        {
            job.Env = [.. root.Env.Global.Where(HasVariables).Concat(job.Env ?? []).DistinctBy(identity.OfEnvEntry)];
            job.EnvAt ??= root.Env.At;
        }
    }

    /// <summary>Whether an env entry sets anything: travis-yml reads an empty string or map as <c>{}</c> and drops it.</summary>
    public static bool HasVariables(Node entry) => entry switch
    {
        ScalarNode scalar => !scalar.IsNull && scalar.Value.Trim().Length > 0,
        MapNode map => map.Entries.Count > 0,
        _ => true,
    };
}
