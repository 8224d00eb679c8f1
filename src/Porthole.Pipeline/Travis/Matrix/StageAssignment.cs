using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.Travis.Matrix;

/// <summary>
/// Build stages as travis-yml assigns them (§B10, TY <c>configs/stages.rb</c>): a job without a stage takes the stage
/// of the job before it, the first ones the default (the <c>stages:</c> entry or job stage named <c>test</c> in any
/// case, else <c>test</c>); the stages are the <c>stages:</c> entries, then the jobs' stages in order of first
/// appearance, compared case-insensitively; a stage whose <c>if:</c> is false, or that has no job, is removed, and so
/// are the jobs of a removed stage.
/// </summary>
internal static class StageAssignment
{
    public const string DefaultName = "test";

    private sealed record Candidate(string Name, ScalarNode? If, Node? At);

    /// <summary>The build's stages, empty when it uses none; sets each job's <see cref="MatrixJob.Stage"/> and removes the jobs of removed stages.</summary>
    public static IReadOnlyList<TravisStage> Apply(MatrixRoot root, List<MatrixJob> jobs, ConditionCheck accept)
    {
        if (root.Stages.Count == 0 && jobs.All(job => job.StageName is null))
        {
            foreach (var job in jobs)
            {
                job.Stage = DefaultName;
            }

            return [];
        }

        var defaultName = root.Stages.Select(stage => stage.Name).Concat(jobs.Select(job => job.StageName).OfType<string>())
            .FirstOrDefault(name => Same(name, DefaultName)) ?? DefaultName;
        var assigned = new HashSet<Node>(ReferenceEqualityComparer.Instance);
        var name = defaultName;
        foreach (var job in jobs)
        {
            if (job.StageName is null)
            {
                var stage = NodeFactory.Scalar(job.At.Start, name, plain: false, job.At.Via);
                assigned.Add(stage);
                job.Keys.Set(NodeFactory.Entry(job.At.Start, "stage", stage, job.At.Via));
            }

            name = job.StageName!;
        }

        var candidates = root.Stages.Select(stage => new Candidate(stage.Name, stage.If, stage.At))
            .Concat(jobs.Select(job => job.Keys.Get("stage")!).Select(stage => new Candidate(((ScalarNode)stage).Value, null, assigned.Contains(stage) ? null : stage)))
            .DistinctBy(stage => stage.Name, StringComparer.OrdinalIgnoreCase)
            .ToList();
        var jobStages = jobs.Select(job => job.StageName!).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var kept = candidates
            .Where(stage => stage.If is null || accept(stage.If.Value, stage.If, null))
            .Where(stage => jobStages.Contains(stage.Name))
            .ToList();
        var byName = kept.ToDictionary(stage => stage.Name, StringComparer.OrdinalIgnoreCase);

        jobs.RemoveAll(job => !byName.ContainsKey(job.StageName!));
        foreach (var job in jobs)
        {
            job.Stage = byName[job.StageName!].Name;
        }

        return [.. kept.Select(stage => new TravisStage(stage.Name, stage.At))];
    }

    /// <summary>Ruby's <c>casecmp</c>: equal ignoring ASCII case.</summary>
    public static bool Same(string left, string right) => string.Equals(left, right, StringComparison.OrdinalIgnoreCase);
}
