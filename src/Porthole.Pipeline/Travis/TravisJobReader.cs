using Porthole.Contracts.Plans;
using Porthole.Pipeline.Travis.Languages;
using Porthole.Pipeline.Travis.Matrix;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.Travis;

/// <summary>
/// One job of the build matrix as a plan (§B0, §B8): it checks out, sets up its language, then runs its phases, one
/// step each, a phase the config does not give running the language's default; a job with something to cache fetches
/// it after the checkout and uploads it after script and before_cache (§B12).
/// </summary>
internal static class TravisJobReader
{
    public static JobPlan? Read(TravisJobConfig job, int number, string? repoSlug, HashSet<string> names, ErrorList errors)
    {
        var config = job.Config;
        var languageEntry = config.TryGet("language", out var written) ? written : null;
        var languageText = languageEntry is null ? TravisLanguages.Default : Expect.Text(languageEntry.Value, "language", errors);
        if (languageText is null)
        {
            return null;
        }

        Node languageAt = languageEntry?.Key ?? job.At;
        var language = TravisLanguageCatalog.Find(languageText, out var fellBack);
        if (fellBack)
        {
            errors.Warn(languageAt, $"language: {languageText} is not one Travis knows; it runs as ruby, as on Travis");
        }

        var settings = TravisJobSettings.From(config, language, repoSlug, errors);
        var addons = TravisAddons.Read(config.Get("addons"));
        var services = TravisServices.Read(config.Get("services"), addons);
        var platform = Platform(config, settings);
        var executor = platform.Os == "linux"
            ? Executor(config, language, settings, needsContainer: services.Count > 0 || addons.Apt is not null, errors)
            : OtherSystem(platform);
        if (services.Count > 0 && executor.Kind == ExecutorKind.Docker)
        {
            executor = executor with { Containers = [.. executor.Containers, .. services] };
        }

        var env = TravisEnvReader.ReadJob(config.Get("env"), errors);
        var environment = env?.Words ?? [];
        var script = TravisLanguages.Script(languageText);
        var folders = TravisCacheReader.Read(config.Get("cache"), script, environment, errors);
        var slug = folders.Count == 0 ? null : TravisCacheSlug.For(script, key => FirstValue(config.Get(key)), environment);
        // The git settings' errors were reported where they are written (TravisKeys).
        var (checkout, clone) = TravisGit.Read(config.Get("git"), new ErrorList(".travis.yml"));
        var steps = clone ? new List<StepPlan> { Checkout(checkout) } : [];
        if (slug is not null)
        {
            steps.Add(TravisCacheSteps.Restore(slug));
        }

        if (TravisDefaultPhases.Setup(language, settings) is { Count: > 0 } setup)
        {
            steps.Add(Step(Setup, setup, environment));
        }

        // §B0: the addons are set up after the language and before before_install.
        if (addons.Apt is not null)
        {
            steps.Add(addons.Apt);
        }

        foreach (var phase in TravisPhase.All)
        {
            var entry = config.TryGet(phase.Name, out var given) ? given : null;
            var commands = PhaseCommands.Read(entry?.Value, phase.Name, errors) ?? DefaultCommands(phase, language, settings);
            var isBeforeCache = phase.Name == TravisPhase.BeforeCache;
            if (isBeforeCache && slug is null && commands.Count > 0)
            {
                // TD job-lifecycle.md: before_cache runs "if and only if caching is effective".
                errors.Warn(entry!.Key, "before_cache runs only when the job has a cache to upload, and this one caches nothing; it is skipped");
            }
            else if (commands.Count > 0)
            {
                steps.Add(Step(phase, commands, environment));
            }

            if (isBeforeCache && slug is not null)
            {
                steps.Add(TravisCacheSteps.Save(slug, folders));
            }

            // §B0: deploy runs inside after_success, after its commands.
            if (phase.Name == "after_success")
            {
                steps.AddRange(TravisDeploy.Read(config, environment));
                WarnOfDeployHooksWithoutDeploy(config, errors);
            }
        }

        var name = job.Name ?? $"job {number} ({languageText})";

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
            executor,
            WorkingDirectory: null,
            [.. environment.Select(word => new EnvironmentVariable(word.Name, word.Value))],
            steps)
        {
            AllowFailure = job.AllowFailure,
            Stage = job.Stage,
            SecureEnvironment = env?.Secure ?? [],
            Platform = platform,
        };
    }

    /// <summary>
    /// Where the job runs: a job that names its runtime's version (<c>node_js: 18</c>, <c>jdk: openjdk11</c>, for csharp
    /// <c>dotnet:</c>), or needs a container for its services or apt packages, runs in its version's official image
    /// (<see cref="TravisImages"/>), which a runner's or project's image table may replace (<see cref="ImageChoice"/>); a
    /// version with no official image is planned with the reason, for the runner to serve from its table or to refuse.
    /// A job that needs none of this runs on the runner's own system, with the runtime installed there.
    /// </summary>
    private static ExecutorSpec Executor(MapNode config, TravisLanguage language, TravisJobSettings settings, bool needsContainer, ErrorList errors)
    {
        var given = new[] { language.VersionKey, language.Name == "csharp" ? "dotnet" : null }
            .OfType<string>()
            .Select(config.Get)
            .OfType<ScalarNode>()
            .FirstOrDefault(node => !node.IsNull);
        if (given is null && !needsContainer)
        {
            return new ExecutorSpec(ExecutorKind.Shell, null);
        }

        var version = given is null ? null : settings.ImageVersion;
        var image = TravisImages.ForLanguage(settings.ImageLanguage, version, settings.Dist, out var reason);
        var choice = new ImageChoice(ImageChoiceKind.Language, settings.ImageLanguage, version) { Unavailable = image is null ? reason : null };
        if (image is null && given is not null)
        {
            errors.Warn(given, $"{language.Name} {given.Value} has no official image ({reason}); only a runner whose image table maps '{choice}' can run this job");
        }

        return new ExecutorSpec(ExecutorKind.Docker, image ?? "") { Containers = [new ContainerSpec(image ?? "") { Choice = choice }] };
    }

    /// <summary>before_deploy and after_deploy run only around a deployment (§B0): without <c>deploy:</c> they have no effect.</summary>
    private static void WarnOfDeployHooksWithoutDeploy(MapNode config, ErrorList errors)
    {
        if (config.Has("deploy"))
        {
            return;
        }

        foreach (var key in new[] { "before_deploy", "after_deploy" })
        {
            if (config.TryGet(key, out var hook))
            {
                errors.Warn(hook.Key, $"{key} runs only around a deployment, and this job has no deploy: it never runs");
            }
        }
    }

    /// <summary>The job's <c>os</c> (linux when not given; the matrix gives one) and its <c>dist</c>, or for macOS its <c>osx_image</c>.</summary>
    private static TravisPlatform Platform(MapNode config, TravisJobSettings settings)
    {
        var os = FirstValue(config.Get("os")) ?? "linux";
        var image = os == "osx" ? FirstValue(config.Get("osx_image")) : settings.Dist;
        return new TravisPlatform(os, image);
    }

    /// <summary>
    /// A macOS or Windows job: planned, and served only by a runner of that system; elsewhere the node ends
    /// infrastructure_fail saying so (issue 13).
    /// </summary>
    private static ExecutorSpec OtherSystem(TravisPlatform platform) => platform.Os == "osx"
        ? new ExecutorSpec(ExecutorKind.MacOs, platform.Dist) { Description = $"os: osx{(platform.Dist is null ? "" : $" (osx_image: {platform.Dist})")}, a macOS machine (no macOS runner)" }
        : new ExecutorSpec(ExecutorKind.Windows, null) { Description = "os: windows, a Windows machine (no Windows runner)" };

    /// <summary>The language's setup (§B8: its version variable, PATH, compilers), run before before_install; it stops at its first failure.</summary>
    private static readonly TravisPhase Setup = new("setup", PhaseMode.StopAtFirstFailure, StepCondition.OnSuccess, true);

    private static IReadOnlyList<string> DefaultCommands(TravisPhase phase, TravisLanguage language, TravisJobSettings settings) => phase.Name switch
    {
        TravisPhase.Install => TravisDefaultPhases.Install(language, settings),
        TravisPhase.Script => TravisDefaultPhases.Script(language, settings),
        _ => [],
    };

    /// <summary>A key's value as one string: a scalar's text, or a list's first item.</summary>
    private static string? FirstValue(Node? node) => node switch
    {
        ScalarNode { IsNull: false } scalar => scalar.Value,
        ListNode { Items: [ScalarNode { IsNull: false } first, ..] } => first.Value,
        _ => null,
    };

    private static StepPlan Checkout(CheckoutPlan settings) => new(
        StepKind.Checkout,
        "checkout",
        Command: null,
        TravisReader.Shell,
        Environment: [],
        WorkingDirectory: null,
        Background: false,
        StepCondition.OnSuccess,
        NoOutputTimeout: null)
    {
        Checkout = settings,
    };

    private static StepPlan Step(TravisPhase phase, IReadOnlyList<string> commands, IReadOnlyList<EnvWord> environment) => new(
        StepKind.Run,
        phase.Name,
        PhaseScriptWriter.Write(phase, commands, environment),
        TravisReader.Shell,
        Environment: [],
        WorkingDirectory: null,
        Background: false,
        phase.When,
        NoOutputTimeout: null,
        phase.AffectsResult,
        phase.Name);
}
