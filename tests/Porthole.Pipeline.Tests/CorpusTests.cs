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
    public void Kickstarter_macos_executor_is_planned_and_only_its_steps_and_filters_are_refused()
    {
        var result = Read("circleci/kickstarter__ios-oss.yml");

        Assert.DoesNotContain(result.Errors, e => e.Line == 13);
        Assert.Equal(
            ["branch and tag filters", "restore_cache", "save_cache", "store_artifacts"],
            result.Errors.Select(e => e.Feature!).Distinct().Order(StringComparer.Ordinal));
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
    public void Jekyll_reads_past_its_multi_line_secure_string_and_is_refused_for_features()
    {
        var result = Read("travis/jekyll__jekyll.yml");

        Assert.Contains(result.Errors, e => (e.Line, e.Column, e.Feature) == (7, 1, "language version matrices (rvm)"));
        Assert.Contains(result.Errors, e => (e.Line, e.Feature) == (5, "cache"));
    }

    [Fact]
    public void Typelevel_cats_duplicate_cache_key_is_reported_at_the_later_key()
    {
        var result = Read("travis/typelevel__cats.yml");

        Assert.Contains(result.Errors, e => (e.Line, e.Column, e.Feature) == (30, 1, "cache"));
        Assert.DoesNotContain(result.Errors, e => e.Line == 10);
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
