using Porthole.Contracts.Plans;
using Porthole.Pipeline.Travis.Conditions;
using Porthole.Pipeline.Travis.Matrix;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.Travis;

/// <summary>
/// A <c>.travis.yml</c> as a plan: one workflow, <c>build</c>, whose jobs are the build Travis would make for the trigger
/// (§B9: the matrix expansion, includes, excludes, allow_failures, fast_finish; §B10: stages, one after another; §B11:
/// <c>if:</c> conditions), each job read by <see cref="TravisJobReader"/>. A build-level <c>if:</c> that is false, or a
/// branch that <c>branches:</c> leaves out (§B12), makes no pipeline, and the error says why.
/// </summary>
internal static class TravisReader
{
    public const string WorkflowName = "build";

    public const string Shell = "/bin/bash";

    /// <summary>Travis's limit of jobs per build (TD build-matrix.md).</summary>
    public const int MaxJobs = 200;

    public static PipelinePlan? Read(MapNode root, string path, PipelineSize size, ErrorList errors, ConfigInputs inputs)
    {
        TravisKeys.Check(root, isRoot: true, errors);
        var request = TravisRequest.From(inputs.Values);
        if (!BuildIsMade(root, request, errors))
        {
            return null;
        }

        var conditions = new TravisConditions(root, request, errors);
        var build = TravisMatrix.Expand(root, conditions.Accept, MaxJobs, errors);
        foreach (var include in build.Jobs.Select(job => job.At).OfType<MapNode>().Where(at => !ReferenceEquals(at, root)).Distinct())
        {
            TravisKeys.Check(include, isRoot: false, errors);
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var jobs = new List<JobPlan>();
        var slug = TravisRequest.Slug(inputs.Values.GitUrl);
        for (var i = 0; i < build.Jobs.Count; i++)
        {
            if (!size.Add(Origin(build.Jobs[i], root), parallelism: 1))
            {
                break;
            }

            if (TravisJobReader.Read(build.Jobs[i], i + 1, slug, names, errors) is { } job)
            {
                // A build without stages is one implicit stage that has no name (TRAVIS_BUILD_STAGE_NAME is empty).
                jobs.Add(build.Stages.Count == 0 ? job with { Stage = null } : job);
            }
        }

        return errors.Count == 0
            ? new PipelinePlan(ConfigDialect.Travis, path, [new WorkflowPlan(WorkflowName, StagesInTurn(jobs)) { FastFinish = build.FastFinish }])
            : null;
    }

    /// <summary>
    /// Where a job is written, for an error about it: its include entry, else its own env entry (the last axis of the
    /// expansion, §B9), else the root.
    /// </summary>
    private static Node Origin(TravisJobConfig job, MapNode root)
    {
        if (!ReferenceEquals(job.At, root))
        {
            return job.At;
        }

        return job.Config.Get("env") is ListNode env && env.Items.FirstOrDefault(item => !job.GlobalEnv.Any(global => ReferenceEquals(global, item))) is { } own
            ? own
            : root;
    }

    /// <summary>
    /// Stages run one after another (§B10): every job of a stage requires every job of the stage before it, so a failure
    /// there leaves the later stages not run (a job allowed to fail excepted: <see cref="JobPlan.AllowFailure"/>).
    /// </summary>
    private static List<JobPlan> StagesInTurn(List<JobPlan> jobs)
    {
        var stages = jobs.Select(job => job.Stage ?? "").Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (stages.Count < 2)
        {
            return jobs;
        }

        return [.. jobs.Select(job =>
        {
            var index = stages.FindIndex(stage => string.Equals(stage, job.Stage ?? "", StringComparison.OrdinalIgnoreCase));
            return index == 0
                ? job
                : job with { Requires = [.. jobs.Where(other => string.Equals(other.Stage ?? "", stages[index - 1], StringComparison.OrdinalIgnoreCase)).Select(other => other.Name)] };
        })];
    }

    /// <summary>The root <c>if:</c> and <c>branches:</c>, decided for the trigger: false makes no build (§B11, §B12).</summary>
    private static bool BuildIsMade(MapNode root, TravisRequest request, ErrorList errors)
    {
        var branches = TravisBranches.Read(root.Get("branches"), errors);
        if (request.Known && branches is not null && request.Branch is { } branch && branches.Refusal(branch) is { } refused)
        {
            errors.Add(root.TryGet("branches", out var entry) ? entry.Key : root, $"no build: {refused}");
            return false;
        }

        if (!root.TryGet("if", out var condition))
        {
            return true;
        }

        if (Expect.Text(condition.Value, "if", errors) is not { } text)
        {
            return false;
        }

        if (TravisCondition.Parse(text, out var error) is not { } parsed)
        {
            // For the build's own condition Travis reports the error on the request (§B11).
            errors.Add(condition.Value, $"the build's if: does not parse: {error!.Message}");
            return false;
        }

        if (!request.Known)
        {
            return true;
        }

        if (!parsed.Evaluate(request.ForConfig(root, new Dictionary<string, string>(StringComparer.Ordinal)), out var problem))
        {
            errors.Add(condition.Value, problem is null ? $"no build: the build's if: {text} is false for this trigger" : $"no build: the build's if: could not be decided ({problem})");
            return false;
        }

        return true;
    }
}
