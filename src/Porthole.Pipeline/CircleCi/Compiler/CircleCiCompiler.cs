using Porthole.Contracts.Plans;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.CircleCi.Compiler;

/// <summary>A 2.1 config compiled to plain version 2 config, with what the plan records about the compilation.</summary>
/// <remarks><see cref="Unresolved"/>: jobs invoked that could not be compiled, reported already.</remarks>
internal sealed record CompiledConfig(MapNode Root, IReadOnlyList<OrbUse> Orbs, IReadOnlyList<PipelineParameter> Parameters, IReadOnlySet<string> Unresolved);

/// <summary>
/// CircleCI 2.1 compiled as CircleCI compiles it (dialects.md §A0): pipeline parameters bound, orbs imported, workflows
/// filtered by their conditions, matrices expanded, each job invocation's parameters, executor and commands expanded —
/// into the plain config that <c>circleci config process</c> prints and the version 2 readers read. Every node keeps its
/// position, and a node expanded from a command or a parameterized job knows where it was invoked (<see cref="CallSite"/>).
/// </summary>
internal static class CircleCiCompiler
{
    private static readonly string[] CarriedKeys = ["experimental", "setup"];

    public static CompiledConfig Compile(MapNode root, ConfigInputs inputs, ErrorList errors)
    {
        var session = new CompileSession(errors, PipelineValueTable.Build(inputs.Values, root.Start));
        var parameters = BindPipelineParameters(root, inputs.Values, session);

        var global = new Namespace(null, null);
        global.Define(ElementKind.Command, root.Get("commands"), errors);
        global.Define(ElementKind.Executor, root.Get("executors"), errors);
        global.Define(ElementKind.Job, root.Get("jobs"), errors);
        var orbs = new OrbImporter(inputs.Orbs, errors, session.PipelineScope(), global);
        orbs.Import(root.Get("orbs"), global);

        var compiled = new CompiledJobs();
        var steps = new StepExpander(session);
        var jobs = new JobExpander(session, steps, new ExecutorMerger(session), global);
        var entries = new List<MapEntry>();
        if (root.TryGet("version", out var version))
        {
            entries.Add(new MapEntry(version.Key, NodeFactory.Scalar(version.Value.Start, "2", plain: true)));
        }

        entries.AddRange(root.Entries.Where(e => CarriedKeys.Contains(e.Name)));
        MapEntry? workflows = null;
        if (root.TryGet("workflows", out var written))
        {
            workflows = written.Value is MapNode map
                ? new MapEntry(written.Key, new WorkflowExpander(session, jobs, global, compiled).Expand(map) ?? map)
                : written;
        }
        else if (global.Jobs.TryGetValue(CircleCiDefaults.ImplicitJob, out var build) && jobs.Expand(build, [], build.Definition.Key, null, null) is { } body)
        {
            // WF: without workflows, CircleCI runs the job named build.
            compiled.Add(CircleCiDefaults.ImplicitJob, body, build.Definition.Key);
        }

        if (root.TryGet("jobs", out var jobsEntry) || compiled.Entries.Count > 0)
        {
            var at = jobsEntry?.Key ?? root.Entries[0].Key;
            entries.Add(new MapEntry(jobsEntry?.Key ?? NodeFactory.Key(at.Start, "jobs"), NodeFactory.Map(jobsEntry?.Value.Start ?? at.Start, compiled.Entries)));
        }

        if (workflows is not null)
        {
            entries.Add(workflows);
        }

        return new CompiledConfig(NodeFactory.Map(root.Start, entries), orbs.Used, parameters, session.Unresolved);
    }

    /// <summary>§A0 step 2: the top-level <c>parameters:</c> defaults overridden by the trigger's values.</summary>
    private static IReadOnlyList<PipelineParameter> BindPipelineParameters(MapNode root, PipelineValues values, CompileSession session)
    {
        var errors = session.Errors;
        root.TryGet("parameters", out var entry);
        var declared = entry is null
            ? new Dictionary<string, ParameterDeclaration>(StringComparer.Ordinal)
            : ParameterDeclarations.Read(entry.Value, "the pipeline", pipeline: true, isJob: false, errors);
        var bound = ParameterBinder.BindPipeline(declared, values.Parameters, (Node?)entry?.Key ?? root, errors);
        session.PipelineParameters = bound;
        return [.. bound.Select(p => new PipelineParameter(p.Key, p.Value is ScalarNode scalar ? scalar.Value : p.Value.Describe()))];
    }
}
