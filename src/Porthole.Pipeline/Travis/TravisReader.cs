using Porthole.Contracts.Plans;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.Travis;

/// <summary>
/// A <c>.travis.yml</c> as a plan: one workflow, <c>build</c>, whose jobs are the build matrix (one per
/// env matrix entry) followed by the jobs.include entries. Each job checks out and then runs its phases,
/// one step each; a job with something to cache fetches it after the checkout and uploads it after script and
/// before_cache (§B0, §B12).
/// </summary>
internal static class TravisReader
{
    public const string WorkflowName = "build";

    public const string Shell = "/bin/bash";

    public static PipelinePlan? Read(MapNode root, string path, PipelineSize size, ErrorList errors)
    {
        TravisKeys.Check(root, isRoot: true, errors);
        var (global, matrix) = TravisEnvReader.ReadRoot(root.Get("env"), errors);
        var includes = ReadIncludes(root, errors);

        // Travis makes the root job(s) from the matrix expansion; with only jobs.include and nothing to
        // expand, the root config is a template for the included jobs and no job of its own.
        var sources = new List<(MapNode? Include, EnvEntry? Env)>();
        if (matrix.Count > 0)
        {
            sources.AddRange(matrix.Select(entry => ((MapNode?)null, (EnvEntry?)entry)));
        }
        else if (includes.Count == 0)
        {
            sources.Add((null, null));
        }

        foreach (var include in includes)
        {
            TravisKeys.Check(include, isRoot: false, errors);
            sources.Add((include, TravisEnvReader.ReadJob(include.Get("env"), errors)));
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var jobs = new List<JobPlan>();
        for (var i = 0; i < sources.Count; i++)
        {
            // Every matrix entry and include entry is one job (dialects.md §B9, where Travis stops at 200 per build).
            var (include, env) = sources[i];
            if (!size.Add(include ?? env?.At ?? root, parallelism: 1))
            {
                break;
            }

            if (ReadJob(root, include, [.. global, .. env?.Words ?? []], i + 1, names, errors) is { } job)
            {
                jobs.Add(job);
            }
        }

        return errors.Count == 0
            ? new PipelinePlan(ConfigDialect.Travis, path, [new WorkflowPlan(WorkflowName, jobs)])
            : null;
    }

    private static List<MapNode> ReadIncludes(MapNode root, ErrorList errors)
    {
        var includes = new List<MapNode>();
        MapEntry? matrix = null;
        foreach (var entry in root.Entries.Where(entry => entry.Name is "jobs" or "matrix"))
        {
            if (matrix is not null)
            {
                errors.Add(entry.Key, $"{matrix.Name} and {entry.Name} are two names for one key; keep one");
                continue;
            }

            matrix = entry;
        }

        if (matrix is null || matrix.Value is ScalarNode { IsNull: true } || Expect.Map(matrix.Value, matrix.Name, errors) is not { } map)
        {
            return includes;
        }

        foreach (var entry in map.Entries)
        {
            switch (entry.Name)
            {
                case "include":
                    if (Expect.List(entry.Value, $"{matrix.Name}.include", errors) is { } list)
                    {
                        foreach (var item in list.Items)
                        {
                            if (Expect.Map(item, $"a {matrix.Name}.include entry", errors) is { } job)
                            {
                                includes.Add(job);
                            }
                        }
                    }

                    break;
                case "exclude":
                    errors.Refuse(entry.Key, "exclude", "exclude is not supported");
                    break;
                case "allow_failures":
                    errors.Refuse(entry.Key, "allow_failures", "allow_failures is not supported");
                    break;
                case "fast_finish":
                    if (Expect.Bool(entry.Value, "fast_finish", errors) == true)
                    {
                        errors.Refuse(entry.Key, "fast_finish", "fast_finish is not supported");
                    }

                    break;
                default:
                    errors.Add(entry.Key, $"unknown key '{entry.Name}' in {matrix.Name}");
                    break;
            }
        }

        return includes;
    }

    private static JobPlan? ReadJob(MapNode root, MapNode? include, IReadOnlyList<EnvWord> environment, int number, HashSet<string> names, ErrorList errors)
    {
        // An included job has the root's keys unless it gives its own.
        MapEntry? Find(string key) =>
            include is not null && include.TryGet(key, out var own) ? own : root.TryGet(key, out var shared) ? shared : null;

        var languageEntry = Find("language");
        var language = languageEntry is null ? TravisLanguages.Default : Expect.Text(languageEntry.Value, "language", errors);
        if (language is null)
        {
            return null;
        }

        Node languageAt = languageEntry?.Key ?? (Node?)include ?? root;
        var script = TravisLanguages.Script(language);
        var folders = TravisCacheReader.Read(Find("cache")?.Value, script, environment, errors);
        var slug = folders.Count == 0 ? null : TravisCacheSlug.For(script, key => FirstValue(Find(key)), environment);
        var steps = new List<StepPlan> { Checkout() };
        if (slug is not null)
        {
            steps.Add(TravisCacheSteps.Restore(slug));
        }

        var given = new HashSet<string>(StringComparer.Ordinal);
        foreach (var phase in TravisPhase.All)
        {
            var entry = Find(phase.Name);
            var commands = PhaseCommands.Read(entry?.Value, phase.Name, errors);
            if (commands is not null)
            {
                given.Add(phase.Name);
            }

            var isBeforeCache = phase.Name == TravisPhase.BeforeCache;
            if (isBeforeCache && slug is null && commands is { Count: > 0 })
            {
                // TD job-lifecycle.md: before_cache runs "if and only if caching is effective".
                errors.Warn(entry!.Key, "before_cache runs only when the job has a cache to upload, and this one caches nothing; it is skipped");
            }
            else if (commands is { Count: > 0 })
            {
                steps.Add(Step(phase, commands, environment));
            }

            if (isBeforeCache && slug is not null)
            {
                steps.Add(TravisCacheSteps.Save(slug, folders));
            }
        }

        if (!given.Contains(TravisPhase.Script))
        {
            errors.Refuse(languageAt, $"language default script ({language})", $"language default script ({language}) is not supported; add a script: key");
        }

        if (!given.Contains(TravisPhase.Install) && TravisLanguages.HasDefaultInstall(language))
        {
            errors.Refuse(
                languageAt,
                $"language default install ({language})",
                $"language default install ({language}) is not supported; add an install: key (install: skip when nothing needs installing)");
        }

        var name = include?.Get("name") is { } nameNode ? Expect.Text(nameNode, "name", errors) : null;
        name ??= $"job {number} ({language})";

        // Travis allows two jobs of one name; a plan's job names are unique, as requires refer to them.
        var unique = name;
        for (var copy = 2; !names.Add(unique); copy++)
        {
            unique = copy == 2 ? $"{name} (job {number})" : $"{name} (job {number}, {copy - 1})";
        }

        return new JobPlan(
            unique,
            Requires: [],
            Parallelism: 1,
            new ExecutorSpec(ExecutorKind.Shell, null),
            WorkingDirectory: null,
            [.. environment.Select(word => new EnvironmentVariable(word.Name, word.Value))],
            steps);
    }

    /// <summary>A key's value as one string: a scalar's text, or a list's first item (a job's own value once the matrix is expanded).</summary>
    private static string? FirstValue(MapEntry? entry) => entry?.Value switch
    {
        ScalarNode { IsNull: false } scalar => scalar.Value,
        ListNode { Items: [ScalarNode { IsNull: false } first, ..] } => first.Value,
        _ => null,
    };

    private static StepPlan Checkout() => new(
        StepKind.Checkout,
        "checkout",
        Command: null,
        Shell,
        Environment: [],
        WorkingDirectory: null,
        Background: false,
        StepCondition.OnSuccess,
        NoOutputTimeout: null);

    private static StepPlan Step(TravisPhase phase, IReadOnlyList<string> commands, IReadOnlyList<EnvWord> environment) => new(
        StepKind.Run,
        phase.Name,
        PhaseScriptWriter.Write(phase, commands, environment),
        Shell,
        Environment: [],
        WorkingDirectory: null,
        Background: false,
        phase.When,
        NoOutputTimeout: null,
        phase.AffectsResult,
        phase.Name);
}
