using System.Diagnostics;
using System.Globalization;
using System.Text;
using static Porthole.Pipeline.Tests.Support.Configs;

namespace Porthole.Pipeline.Tests;

/// <summary>
/// The cap on jobs (and nodes) per pipeline (issue 9, item 5): a config over it is refused at the entry that makes the
/// excess, naming the cap and the setting. Jobs are what dialects.md calls jobs: CircleCI's invocations in a workflow
/// (§A1.5), whose <c>parallelism</c> makes nodes, not jobs (§A5); Travis's build matrix and jobs.include entries (§B9,
/// where Travis itself stops at 200 jobs per build).
/// </summary>
public sealed class PipelineSizeTests
{
    private const string CapMessage = "this pipeline would have more than 500 jobs (the server's MaxJobsPerPipeline); split the workflow or raise the setting";

    [Fact]
    public void A_3000_job_circleci_config_is_refused_at_its_501st_job_with_the_cap_named()
    {
        var (text, lines) = CircleCiConfig(3000);

        var result = ConfigReader.Read(CirclePath, text);

        var error = OnlyError(result, lines[500], 9, CapMessage);
        Assert.Equal($"{CirclePath}:{lines[500]}:9: {CapMessage}", error.ToString());
        Assert.Null(error.Feature);
    }

    [Fact]
    public void Exactly_500_jobs_are_planned()
    {
        var plan = Planned(ConfigReader.Read(CirclePath, CircleCiConfig(500).Text));

        Assert.Equal(500, plan.Workflows.Sum(workflow => workflow.Jobs.Count));
    }

    [Fact]
    public void A_20000_job_config_under_the_size_limit_is_refused_quickly()
    {
        var (text, lines) = CircleCiConfig(20_000);
        Assert.True(Encoding.UTF8.GetByteCount(text) < 3 * 1024 * 1024);
        var clock = Stopwatch.StartNew();

        var result = ConfigReader.Read(CirclePath, text);

        OnlyError(result, lines[500], 9, CapMessage);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }

    [Fact]
    public void The_cap_is_the_readers_option_and_its_error_names_the_setting_given()
    {
        var options = new ConfigReaderOptions { MaxJobs = 10, MaxJobsSetting = "Porthole:MaxJobsPerPipeline" };
        Planned(ConfigReader.Read(CirclePath, CircleCiConfig(10).Text, options: options));
        var (text, lines) = CircleCiConfig(11);

        var result = ConfigReader.Read(CirclePath, text, options: options);

        OnlyError(result, lines[10], 9, "more than 10 jobs (the server's Porthole:MaxJobsPerPipeline)");
    }

    [Fact]
    public void Jobs_of_all_workflows_count_and_the_entry_that_makes_the_excess_is_named_even_as_a_map()
    {
        var options = new ConfigReaderOptions { MaxJobs = 3 };
        var result = ConfigReader.Read(
            CirclePath,
            Lines(
                "version: 2.1",
                "jobs:",
                "  test: {steps: [checkout]}",
                "workflows:",
                "  one:",
                "    jobs:",
                "      - test:",
                "          name: a",
                "      - test:",
                "          name: b",
                "  two:",
                "    jobs:",
                "      - test:",
                "          name: c",
                "      - test:",
                "          name: d",
                "      - test:",
                "          name: e"),
            options: options);

        OnlyError(result, 15, 9, "this pipeline would have more than 3 jobs");
    }

    [Fact]
    public void Parallelism_makes_nodes_not_jobs_but_nodes_have_a_cap_too()
    {
        // MaxJobs 2 allows 20 nodes: two jobs of 10 nodes are fine, two of 11 are not.
        var options = new ConfigReaderOptions { MaxJobs = 2 };
        string Config(int parallelism) => Lines(
            "version: 2.1",
            "jobs:",
            $"  wide: {{parallelism: {parallelism}, steps: [checkout]}}",
            "workflows:",
            "  main:",
            "    jobs:",
            "      - wide",
            "      - wide:",
            "          name: wide-2");
        var plan = Planned(ConfigReader.Read(CirclePath, Config(10), options: options));
        Assert.Equal(20, plan.Workflows[0].Jobs.Sum(job => job.Parallelism));

        var result = ConfigReader.Read(CirclePath, Config(11), options: options);

        OnlyError(result, 8, 9, "this pipeline would have more than 20 nodes, parallelism included (10 × the server's MaxJobsPerPipeline); lower the parallelism, split the workflow or raise the setting");
    }

    [Fact]
    public void Without_workflows_the_build_job_counts_its_nodes()
    {
        var result = ConfigReader.Read(
            CirclePath,
            Lines("version: 2", "jobs:", "  build:", "    parallelism: 11", "    steps: [checkout]"),
            options: new ConfigReaderOptions { MaxJobs = 1 });

        OnlyError(result, 3, 3, "more than 10 nodes");
    }

    [Fact]
    public void A_travis_build_matrix_over_the_cap_is_refused_at_the_env_entry_of_the_first_job_too_many()
    {
        // A cap below Travis's own limit of 200 jobs (§B9), which a larger matrix meets first.
        var text = new StringBuilder("language: shell\nscript: make test\nenv:\n");
        for (var i = 1; i <= 150; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"  - SHARD={i}\n");
        }

        var result = ConfigReader.Read(TravisPath, text.ToString(), options: new ConfigReaderOptions { MaxJobs = 100 });

        // Entry 101 is on line 3 + 101, after its "  - ".
        OnlyError(result, 104, 5, "this pipeline would have more than 100 jobs (the server's MaxJobsPerPipeline); make the build matrix smaller or raise the setting");
    }

    [Fact]
    public void Travis_include_entries_count_after_the_matrix()
    {
        // Two env entries: a lone expanded job would be dropped in favour of the includes (§B9 step 2).
        var result = ReadWithCap(
            3,
            "language: shell",
            "script: make test",
            "env: [A=1, A=2]",
            "jobs:",
            "  include:",
            "    - name: third",
            "    - name: fourth");

        OnlyError(result, 7, 7, "this pipeline would have more than 3 jobs");
        Assert.Equal(3, Planned(ReadWithCap(3, "language: shell", "script: make test", "env: [A=1, A=2]", "jobs:", "  include:", "    - name: third")).Workflows[0].Jobs.Count);
    }

    private static ConfigResult ReadWithCap(int maxJobs, params string[] lines) =>
        ConfigReader.Read(TravisPath, Lines(lines), options: new ConfigReaderOptions { MaxJobs = maxJobs });

    /// <summary>A config of <paramref name="count"/> jobs in one workflow, and the line of each job's entry there.</summary>
    private static (string Text, int[] Lines) CircleCiConfig(int count)
    {
        var text = new StringBuilder("version: 2.1\njobs:\n  test:\n    steps:\n      - run: echo $CIRCLE_JOB\nworkflows:\n  main:\n    jobs:\n");
        var lines = new int[count];
        var line = 8;
        for (var i = 0; i < count; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"      - test:\n          name: test-{i + 1:D5}\n");
            lines[i] = ++line;
            line++;
        }

        return (text.ToString(), lines);
    }
}
