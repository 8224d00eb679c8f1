using Porthole.Testing;
using System.Text.Json;
using Porthole.Contracts.Plans;
using Porthole.Pipeline.Tests.Support;

namespace Porthole.Pipeline.Tests;

/// <summary>
/// The forty real configs of shared/corpus: each is planned or refused with positioned errors, never a crash.
/// The corpus sits beside the repository (shared/ next to main/ here, and next to the fresh clone in CI).
/// </summary>
public sealed class CorpusTests
{

    public static TheoryData<string> Files()
    {
        var files = new TheoryData<string>();
        foreach (var dialect in new[] { "circleci", "travis" })
        {
            foreach (var file in Directory.GetFiles(Path.Combine(CorpusFolder.Root, dialect), "*.yml").Order(StringComparer.Ordinal))
            {
                files.Add($"{dialect}/{Path.GetFileName(file)}");
            }
        }

        return files;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_corpus_file_is_planned_or_precisely_refused(string file)
    {
        var result = Read(file);

        if (!result.IsValid)
        {
            Assert.NotEmpty(result.Errors);
        }

        var lines = File.ReadAllText(Path.Combine(CorpusFolder.Root, file)).Split('\n').Length;
        Assert.All(result.Errors, error =>
        {
            Assert.InRange(error.Line, 1, lines);
            Assert.True(error.Column >= 1, error.ToString());
            Assert.False(string.IsNullOrWhiteSpace(error.Feature ?? error.Message), error.ToString());
            Assert.DoesNotContain("internal error", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("malformed YAML", error.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void The_corpus_holds_twenty_files_of_each_dialect()
    {
        Assert.Equal(40, Files().Cast<object>().Count());
    }

    /// <summary>Issue 12's bar: with the registry orbs it imports in the store, every CircleCI config of the corpus plans.</summary>
    [Theory]
    [MemberData(nameof(CircleCiFiles))]
    public void Every_circleci_corpus_file_plans_with_its_orbs_in_the_store(string file)
    {
        using var orbs = CorpusOrbs.Write();

        var result = Read(file, new ConfigInputs { Orbs = orbs.Source });

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
    }

    /// <summary>
    /// <c>config process</c> prints plain config (§A0 step 7) that plans, as version 2, to the same workflows, jobs and
    /// steps as the file it came from.
    /// </summary>
    [Theory]
    [MemberData(nameof(CircleCiFiles))]
    public void Every_circleci_corpus_file_processes_to_plain_config_that_plans_the_same(string file)
    {
        using var orbs = CorpusOrbs.Write();
        var inputs = new ConfigInputs { Orbs = orbs.Source };
        var text = File.ReadAllText(Path.Combine(CorpusFolder.Root, file));

        var processed = ConfigReader.Process(".circleci/config.yml", text, inputs);

        Assert.True(processed.IsValid, string.Join("\n", processed.Errors));
        Assert.DoesNotContain("<< parameters.", processed.Yaml, StringComparison.Ordinal);
        var original = ConfigReader.Read(".circleci/config.yml", text, inputs: inputs).Plan!;
        var replanned = ConfigReader.Read(".circleci/config.yml", processed.Yaml!);
        Assert.True(replanned.IsValid, string.Join("\n", replanned.Errors) + "\n" + processed.Yaml);
        Assert.Equal(
            JsonSerializer.Serialize(original.Workflows, PlanJson.Options),
            JsonSerializer.Serialize(replanned.Plan!.Workflows, PlanJson.Options));
    }

    /// <summary>§A4: a registry orb not in the store is a refusal at its orbs: entry naming it and both ways to add it, and nothing else.</summary>
    [Theory]
    [InlineData("circleci/JSkimming__Castle.Core.AsyncInterceptor.yml", "circleci/shellcheck@3")]
    [InlineData("circleci/facebook__jest.yml", "circleci/node@4.0.0")]
    [InlineData("circleci/hashicorp__terraform.yml", "circleci/slack@3.4.2")]
    [InlineData("circleci/prometheus__prometheus.yml", "prometheus/prometheus@0.4.0", "circleci/go@0.2.0", "circleci/windows@2.3.0")]
    public void Configs_whose_registry_orbs_are_not_in_the_store_are_refused_naming_each(string file, params string[] references)
    {
        var result = Read(file);

        Assert.Equal(references.Length, result.Errors.Count);
        Assert.All(result.Errors, error => Assert.Equal("registry orbs", error.Feature));
        Assert.Equal(
            references.Select(reference => $"orb {reference} is not in the orb store; add it with 'porthole orb fetch {reference}' or 'porthole orb import FILE {reference.Split('@')[0]}@X.Y.Z'"),
            result.Errors.Select(error => error.Message));
    }

    [Fact]
    public void Prometheus_records_the_exact_orb_versions_it_used_and_its_windows_job_runs_on_the_windows_orb_executor()
    {
        using var orbs = CorpusOrbs.Write();

        var plan = Read("circleci/prometheus__prometheus.yml", new ConfigInputs { Orbs = orbs.Source }).Plan!;

        Assert.Equal(
            ["prometheus/prometheus@0.4.0", "circleci/go@0.2.0", "circleci/windows@2.3.0"],
            plan.Orbs.Select(orb => orb.Version).Distinct());
        Assert.Contains(new OrbUse("win", "circleci/windows@2.3.0", "circleci/windows@2.3.0"), plan.Orbs);
        var windows = plan.Workflows.SelectMany(w => w.Jobs).First(job => job.Name == "test_windows");
        Assert.Equal((ExecutorKind.Windows, "windows-server-2019-vs2019:stable"), (windows.Executor.Kind, windows.Executor.Image));
        Assert.All(windows.Steps.Where(step => step.Kind == StepKind.Run), step => Assert.Equal("powershell", step.Shell));
    }

    [Fact]
    public void Castle_runs_its_inline_orb_job_once_per_invocation_with_its_arguments_in_the_executor_image()
    {
        using var orbs = CorpusOrbs.Write();

        var plan = Read("circleci/JSkimming__Castle.Core.AsyncInterceptor.yml", new ConfigInputs { Orbs = orbs.Source }).Plan!;

        var jobs = Assert.Single(plan.Workflows).Jobs;
        Assert.Equal(["shellcheck", ".NET 6.0 Debug", "Alpine .NET 6.0 Debug", ".NET 6.0 Release", "Alpine .NET 6.0 Release"], jobs.Select(job => job.Name));
        Assert.Equal("mcr.microsoft.com/dotnet/sdk:6.0-alpine", jobs[2].Executor.Image);
        Assert.Equal("./coverage.sh net6.0 Release", jobs[3].Steps[1].Command);

        // @3 resolved to the newest 3.x in the store, not 2.0.0.
        Assert.Contains(new OrbUse("shellcheck", "circleci/shellcheck@3", "circleci/shellcheck@3.1.2"), plan.Orbs);
    }

    [Fact]
    public void Kickstarter_macos_executor_and_its_regex_branch_filters_are_planned()
    {
        var result = Read("circleci/kickstarter__ios-oss.yml");

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Contains(result.Plan!.Workflows.SelectMany(w => w.Jobs), job => job.Executor.Kind == ExecutorKind.MacOs);
    }

    /// <summary>Refused until their cache, workspace, artifact and test result steps were planned (issue 11).</summary>
    [Theory]
    [InlineData("circleci/babel__babel.yml")]
    [InlineData("circleci/coredns__coredns.yml")]
    [InlineData("circleci/sfackler__rust-postgres.yml")]
    [InlineData("circleci/spree__spree.yml")]
    public void Configs_refused_only_for_job_data_steps_now_plan(string file)
    {
        var result = Read(file);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var kinds = result.Plan!.Workflows.SelectMany(workflow => workflow.Jobs).SelectMany(job => job.Steps).Select(step => step.Kind).ToHashSet();
        Assert.True(kinds.Overlaps([StepKind.SaveCache, StepKind.RestoreCache, StepKind.StoreArtifacts, StepKind.StoreTestResults]));
    }

    [Fact]
    public void Babel_hyphenated_restore_cache_is_planned_with_a_warning_at_each_use_of_its_anchor()
    {
        var result = Read("circleci/babel__babel.yml");

        Assert.Equal(
            [(49, 9), (50, 9), (72, 9), (73, 9)],
            result.Warnings.Select(warning => (warning.Line, warning.Column)));
        Assert.All(result.Warnings, warning => Assert.Equal("'restore-cache' is the old spelling of 'restore_cache'", warning.Message));
        var test = result.Plan!.Workflows[0].Jobs[0];
        Assert.Equal(
            ["v1-yarn-cache", "v1-yarn-deps-{{ checksum \"yarn.lock\" }}"],
            test.Steps.Where(step => step.Kind == StepKind.RestoreCache).Select(step => Assert.Single(step.RestoreCache!.Keys)));
        Assert.Equal(
            [new SaveCachePlan("v1-yarn-deps-{{ checksum \"yarn.lock\" }}", ["node_modules"]), new SaveCachePlan("v1-yarn-cache", ["~/.yarn-cache"])],
            test.Steps.Where(step => step.Kind == StepKind.SaveCache).Select(step => step.SaveCache!),
            new SavePlanComparer());
    }

    [Fact]
    public void Coredns_uploads_its_test_results_as_artifacts_and_as_test_results_whatever_the_tests_did()
    {
        var steps = Read("circleci/coredns__coredns.yml").Plan!.Workflows[0].Jobs[0].Steps;

        var artifacts = Assert.Single(steps, step => step.Kind == StepKind.StoreArtifacts);
        Assert.Equal(new StoreArtifactsPlan("/tmp/test-results", "raw-test-output"), artifacts.StoreArtifacts);
        var results = Assert.Single(steps, step => step.Kind == StepKind.StoreTestResults);
        Assert.Equal(new StoreTestResultsPlan("/tmp/test-results"), results.StoreTestResults);
        Assert.Equal([StepCondition.Always, StepCondition.Always], new[] { artifacts.When, results.When });
    }

    [Fact]
    public void Drush_plans_its_workflow_with_its_service_containers()
    {
        var result = Read("circleci/drush-ops__drush.yml");

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var workflow = Assert.Single(result.Plan!.Workflows);
        Assert.Equal("drush", workflow.Name);
        Assert.Equal(
            ["code_style", "check_mergable", "test_71_mysql", "test_72_drupal89", "test_73_drupal90", "test_71_sqlite", "test_71_postgres"],
            workflow.Jobs.Select(job => job.Name));
        var mysql = workflow.Jobs[2];
        Assert.Equal(["check_mergable", "code_style"], mysql.Requires);
        Assert.Equal("~/drush", mysql.WorkingDirectory);
        Assert.Equal((ExecutorKind.Docker, "wodby/php:7.1"), (mysql.Executor.Kind, mysql.Executor.Image));
        Assert.Equal(["wodby/php:7.1", "circleci/mysql:5.7.24"], mysql.Executor.Containers.Select(container => container.Image));
        Assert.Equal(7, mysql.Steps.Count);
        Assert.Equal(
            ["MYSQL_HOST", "UNISH_DB_URL", "TZ", "TERM", "SYMFONY_DEPRECATIONS_HELPER", "PHPUNIT_ARGS", "PHP_SENDMAIL_PATH"],
            mysql.Environment.Select(variable => variable.Name));

        // A merge is shallow: test_72_drupal89's own environment: replaces the one from &defaults whole.
        Assert.Equal(
            [new("MYSQL_HOST", "127.0.0.1"), new("UNISH_DB_URL", "mysql://root:@127.0.0.1"), new("SYMFONY_DEPRECATIONS_HELPER", "enabled")],
            workflow.Jobs[3].Environment);

        // The postgres service's environment is its own, not the steps'.
        var postgres = workflow.Jobs[6].Executor.Containers[1];
        Assert.Equal("wodby/postgres:10.5", postgres.Image);
        Assert.Equal(["POSTGRES_PASSWORD", "POSTGRES_DB", "POSTGRES_USER"], postgres.Environment.Select(variable => variable.Name));
        Assert.DoesNotContain(workflow.Jobs[6].Environment, variable => variable.Name == "POSTGRES_DB");
    }

    [Fact]
    public void Saleor_legacy_deploy_step_is_planned_as_a_deploy_run_step()
    {
        var result = Read("circleci/saleor__saleor.yml");

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var deploy = Assert.Single(result.Plan!.Workflows.SelectMany(w => w.Jobs).SelectMany(job => job.Steps), step => step.IsDeploy);
        Assert.Equal(StepKind.Run, deploy.Kind);
    }

    [Fact]
    public void Typeorm_docker_compose_keys_on_an_image_are_accepted_with_a_warning_naming_each_key()
    {
        // CircleCI ran these configs and ignored the keys; each gets a warning, and the job plans.
        var result = Read("circleci/typeorm__typeorm.yml");

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal(
            [(31, "container_name"), (32, "hostname"), (34, "ulimits"), (36, "sysctls"), (44, "ports")],
            result.Warnings.Where(w => w.Line is 31 or 32 or 34 or 36 or 44).Select(w => (w.Line, w.Message.Split('\'')[1])));
    }

    [Fact]
    public void Jekyll_reads_past_its_multi_line_secure_string_and_plans_ruby_head_for_a_runner_that_maps_it()
    {
        var result = Read("travis/jekyll__jekyll.yml");

        // The rvm × env matrix, allow_failures, fast_finish, branches and bundler_args (§B8, §B9, §B12) are Travis's and
        // planned; ruby-head, a nightly with no official image, is planned with the reason, for a runner's image table.
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var warning = Assert.Single(result.Warnings);
        Assert.Equal((12, 3), (warning.Line, warning.Column));
        Assert.Contains("ruby-head has no official image", warning.Message, StringComparison.Ordinal);
        var head = result.Plan!.Workflows[0].Jobs.Where(job => job.Executor.Containers[0].Choice!.Version == "ruby-head").ToList();
        Assert.NotEmpty(head);
        Assert.All(head, job => Assert.Equal("", job.Executor.Image));
        Assert.All(head, job => Assert.NotNull(job.Executor.Containers[0].Choice!.Unavailable));
    }

    [Fact]
    public void Typelevel_cats_duplicate_cache_key_is_read_at_the_later_key_with_its_before_cache()
    {
        var result = Read("travis/typelevel__cats.yml");

        // The later cache: (line 30) wins; only its shell pattern gets a warning, and before_cache (line 36) is planned.
        Assert.DoesNotContain(result.Errors, e => e.Line is 10 or 30 or 36);
        var warning = Assert.Single(result.Warnings);
        Assert.Equal((33, 5), (warning.Line, warning.Column));
        Assert.Contains("'$HOME/.sbt/boot/scala*' is a shell pattern", warning.Message, StringComparison.Ordinal);

        // Without what is refused for other reasons (secure variables): one job per scala version (§B9), each with
        // scala's default install and its own cache (the slug ends --scala-<version>, §B12), cloning 9999 commits.
        var lines = File.ReadAllText(Path.Combine(CorpusFolder.Root, "travis/typelevel__cats.yml")).Split('\n');
        var plannable = string.Join('\n', lines.Where((_, i) => i + 1 is not (25 or 26 or 27 or 28)));
        var jobs = Assert.Single(ConfigReader.Read(".travis.yml", plannable).Plan!.Workflows).Jobs;
        Assert.Equal(2, jobs.Count);
        Assert.All(jobs, job =>
        {
            Assert.Equal(
                ["checkout", "Restoring the cache", "setup", "install", "script", "before_cache", "Uploading the cache"],
                job.Steps.Select(step => step.Name));
            Assert.Equal(["~/.sbt/0.13", "~/.sbt/boot/scala*", "~/.sbt/launchers", "~/.ivy2/cache"], job.Steps[^1].SaveCache!.Paths);
        });
        Assert.All(jobs, job => Assert.Equal(new CheckoutPlan(9999, Submodules: true, Quiet: false), job.Steps[0].Checkout));
        Assert.EndsWith("--scala-2.10.5", jobs[0].Steps[^1].SaveCache!.Key, StringComparison.Ordinal);
        Assert.EndsWith("--scala-2.11.7", jobs[1].Steps[^1].SaveCache!.Key, StringComparison.Ordinal);
    }

    [Fact]
    public void Crlf_files_report_the_same_lines()
    {
        // Nancy's lines end in CR LF; a refused key added at its end (line 29) is reported on line 29, and nothing of the
        // file itself is refused (rvm and gemfile are Travis's ruby matrix keys, §B8).
        var path = Path.Combine(CorpusFolder.Root, "travis/NancyFx__Nancy.yml");
        var text = File.ReadAllText(path);
        Assert.Contains("\r\n", text, StringComparison.Ordinal);
        var result = ConfigReader.Read(path, text + "import: shared.yml\r\n");

        Assert.Equal([(29, 1, "import")], result.Errors.Select(e => (e.Line, e.Column, e.Feature!)));
    }

    /// <summary>
    /// Issue 13's bar: every Travis config of the corpus plans, one job per job of its build matrix (§B9), whatever it
    /// asks for that no runner here serves (macOS, Windows, deploy providers, values encrypted for travis-ci.com): those
    /// are planned and end or skip at run time with the reason.
    /// </summary>
    [Theory]
    [MemberData(nameof(TravisFiles))]
    public void Every_travis_corpus_file_plans_one_job_per_matrix_job(string file)
    {
        var result = Read(file);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var (matrix, _) = Travis.Matrix.MatrixRun.Expand(File.ReadAllText(Path.Combine(CorpusFolder.Root, file)));
        Assert.Equal(matrix.Jobs.Count, result.Plan!.Workflows.Sum(workflow => workflow.Jobs.Count));
    }

    [Fact]
    public void Godot_flow_sequence_anchors_load_and_its_macos_jobs_are_planned_for_a_macos_runner()
    {
        var result = Read("travis/godotengine__godot.yml");

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var jobs = result.Plan!.Workflows.SelectMany(workflow => workflow.Jobs).ToList();
        var macos = jobs.Where(job => job.Executor.Kind == ExecutorKind.MacOs).ToList();
        Assert.Equal(2, macos.Count);
        Assert.All(macos, job => Assert.Equal("osx", job.Platform!.Os));
        Assert.Contains(result.Warnings, w => w.Line == 65 && w.Message.Contains("no macOS runner", StringComparison.Ordinal));
    }

    /// <summary>A cache save's key and paths (a record's Equals compares the list by reference).</summary>
    private sealed class SavePlanComparer : IEqualityComparer<SaveCachePlan>
    {
        public bool Equals(SaveCachePlan? x, SaveCachePlan? y) =>
            x is not null && y is not null && x.Key == y.Key && x.Paths.SequenceEqual(y.Paths) && x.Replace == y.Replace;

        public int GetHashCode(SaveCachePlan obj) => obj.Key.GetHashCode(StringComparison.Ordinal);
    }

    internal static ConfigResult Read(string file, ConfigInputs? inputs = null) =>
        ConfigReader.Read(Path.Combine(CorpusFolder.Root, file), File.ReadAllText(Path.Combine(CorpusFolder.Root, file)), inputs: inputs);

    public static TheoryData<string> CircleCiFiles() => DialectFiles("circleci");

    public static TheoryData<string> TravisFiles() => DialectFiles("travis");

    private static TheoryData<string> DialectFiles(string dialect)
    {
        var files = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(CorpusFolder.Root, dialect), "*.yml").Order(StringComparer.Ordinal))
        {
            files.Add($"{dialect}/{Path.GetFileName(file)}");
        }

        return files;
    }
}
