using Porthole.Contracts.Plans;

namespace Porthole.Pipeline.Tests;

/// <summary>
/// The forty real configs of shared/corpus: each is planned or refused with positioned errors, never a crash.
/// The corpus sits beside the repository (shared/ next to main/ here, and next to the fresh clone in CI).
/// </summary>
public sealed class CorpusTests
{
    private static readonly Lazy<string> Root = new(FindCorpus);

    public static TheoryData<string> Files()
    {
        var files = new TheoryData<string>();
        foreach (var dialect in new[] { "circleci", "travis" })
        {
            foreach (var file in Directory.GetFiles(Path.Combine(Root.Value, dialect), "*.yml").Order(StringComparer.Ordinal))
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

        var lines = File.ReadAllText(Path.Combine(Root.Value, file)).Split('\n').Length;
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

    [Fact]
    public void Prometheus_is_refused_for_orbs_at_the_orbs_line()
    {
        var error = Assert.Single(Read("circleci/prometheus__prometheus.yml").Errors, e => e.Line == 4);

        Assert.Equal((1, "orbs"), (error.Column, error.Feature));
    }

    [Fact]
    public void Kickstarter_macos_executor_and_its_cache_and_artifact_steps_are_planned_and_only_its_filters_are_refused()
    {
        var result = Read("circleci/kickstarter__ios-oss.yml");

        Assert.DoesNotContain(result.Errors, e => e.Line == 13);
        Assert.Equal(["branch and tag filters"], result.Errors.Select(e => e.Feature!).Distinct());
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
    public void Saleor_setup_remote_docker_is_planned_and_only_deploy_and_filters_are_refused()
    {
        var result = Read("circleci/saleor__saleor.yml");

        Assert.Equal([(35, "deploy"), (64, "branch and tag filters")], result.Errors.Select(e => (e.Line, e.Feature!)));
    }

    [Fact]
    public void Typeorm_docker_compose_keys_on_an_image_are_errors_naming_each_key()
    {
        // CircleCI documents none of these per-image keys; Porthole does not guess what a run without them would be.
        var result = Read("circleci/typeorm__typeorm.yml");

        Assert.Equal(
            [(31, "container_name"), (32, "hostname"), (34, "ulimits"), (36, "sysctls"), (44, "ports")],
            result.Errors.Where(e => e.Feature is null).Select(e => (e.Line, e.Message.Split('\'')[1])));
    }

    [Fact]
    public void Jekyll_reads_past_its_multi_line_secure_string_and_is_refused_for_features_but_not_its_bundler_cache()
    {
        var result = Read("travis/jekyll__jekyll.yml");

        Assert.Contains(result.Errors, e => (e.Line, e.Column, e.Feature) == (7, 1, "language version matrices (rvm)"));
        Assert.DoesNotContain(result.Errors, e => e.Line == 5);
        Assert.Empty(result.Warnings);
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

        // Without what is refused for other reasons (git depth, the scala matrix, secure variables, the default install):
        var lines = File.ReadAllText(Path.Combine(Root.Value, "travis/typelevel__cats.yml")).Split('\n');
        var plannable = string.Join('\n', lines.Where((_, i) => i + 1 is not (3 or 4 or 6 or 7 or 8 or 25 or 26 or 27 or 28))) + "install: skip\n";
        var job = Assert.Single(Assert.Single(ConfigReader.Read(".travis.yml", plannable).Plan!.Workflows).Jobs);
        Assert.Equal(
            ["checkout", "Restoring the cache", "script", "before_cache", "Uploading the cache"],
            job.Steps.Select(step => step.Name));
        Assert.Equal(["~/.sbt/0.13", "~/.sbt/boot/scala*", "~/.sbt/launchers", "~/.ivy2/cache"], job.Steps[^1].SaveCache!.Paths);
    }

    [Fact]
    public void Crlf_files_report_the_same_lines()
    {
        var result = Read("travis/NancyFx__Nancy.yml");

        Assert.Equal([(2, "language versions (rvm)"), (28, "gemfile")], result.Errors.Select(e => (e.Line, e.Feature!)));
    }

    [Fact]
    public void Godot_flow_sequence_anchors_load_and_its_secure_variable_is_refused()
    {
        var result = Read("travis/godotengine__godot.yml");

        Assert.Contains(result.Errors, e => (e.Line, e.Column, e.Feature) == (12, 7, "encrypted variables (secure)"));
    }

    /// <summary>A cache save's key and paths (a record's Equals compares the list by reference).</summary>
    private sealed class SavePlanComparer : IEqualityComparer<SaveCachePlan>
    {
        public bool Equals(SaveCachePlan? x, SaveCachePlan? y) =>
            x is not null && y is not null && x.Key == y.Key && x.Paths.SequenceEqual(y.Paths) && x.Replace == y.Replace;

        public int GetHashCode(SaveCachePlan obj) => obj.Key.GetHashCode(StringComparison.Ordinal);
    }

    internal static ConfigResult Read(string file) =>
        ConfigReader.Read(Path.Combine(Root.Value, file), File.ReadAllText(Path.Combine(Root.Value, file)));

    private static string FindCorpus()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "shared", "corpus");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"no shared/corpus beside any folder above {AppContext.BaseDirectory}");
    }
}
