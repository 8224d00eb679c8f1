using Porthole.Contracts.Plans;
using static Porthole.Pipeline.Tests.Support.Configs;

namespace Porthole.Pipeline.Tests.Travis;

public sealed class TravisReaderTests
{
    [Fact]
    public void A_simple_config_is_one_job_that_checks_out_and_runs_each_given_phase()
    {
        var plan = Planned(ReadTravis(
            "language: generic",
            "before_install: ./bootstrap",
            "install:",
            "  - make deps",
            "script:",
            "  - make",
            "  - make test",
            "after_success: echo yay",
            "after_failure: cat log",
            "after_script: echo done"));

        Assert.Equal(ConfigDialect.Travis, plan.Dialect);
        var workflow = Assert.Single(plan.Workflows);
        Assert.Equal("build", workflow.Name);
        var job = Assert.Single(workflow.Jobs);
        Assert.Equal("job 1 (generic)", job.Name);
        Assert.Equal(1, job.Parallelism);
        Assert.Equal(new ExecutorSpec(ExecutorKind.Shell, null), job.Executor);
        Assert.Null(job.WorkingDirectory);
        Assert.Empty(job.Requires);
        Assert.Equal(
            ["checkout", "before_install", "install", "script", "after_success", "after_failure", "after_script"],
            job.Steps.Select(step => step.Name));
        Assert.Equal(StepKind.Checkout, job.Steps[0].Kind);
        Assert.All(job.Steps.Skip(1), step =>
        {
            Assert.Equal(StepKind.Run, step.Kind);
            Assert.Equal("/bin/bash", step.Shell);
            Assert.Equal(step.Name, step.Phase);
        });
        Assert.Equal(
            [(StepCondition.OnSuccess, true), (StepCondition.OnSuccess, true), (StepCondition.OnSuccess, true), (StepCondition.OnSuccess, false), (StepCondition.OnFail, false), (StepCondition.Always, false)],
            job.Steps.Skip(1).Select(step => (step.When, step.AffectsResult)));
    }

    [Fact]
    public void Env_as_a_list_is_one_job_per_entry_with_global_variables_first()
    {
        var plan = Planned(ReadTravis(
            "language: shell",
            "env:",
            "  global:",
            "    - CI_NAME=porthole",
            "  jobs:",
            "    - DB=mysql DIALECT=mysql",
            "    - DB=postgres",
            "script: make test"));

        var jobs = plan.Workflows[0].Jobs;
        Assert.Equal(["job 1 (shell)", "job 2 (shell)"], jobs.Select(job => job.Name));
        Assert.Equal([new("CI_NAME", "porthole"), new("DB", "mysql"), new("DIALECT", "mysql")], jobs[0].Environment);
        Assert.Equal([new("CI_NAME", "porthole"), new("DB", "postgres")], jobs[1].Environment);
    }

    [Fact]
    public void Env_as_a_plain_list_and_as_a_string()
    {
        var list = Planned(ReadTravis("language: shell", "env:", "  - A=1", "  - A=2", "script: x"));
        Assert.Equal(2, list.Workflows[0].Jobs.Count);

        var single = OnlyJob(ReadTravis("language: shell", "env: A=1 B=\"two words\" C=$HOME", "script: x"));
        Assert.Equal([new("A", "1"), new("B", "two words"), new("C", "$HOME")], single.Environment);
    }

    [Fact]
    public void Matrix_is_an_alias_of_env_jobs()
    {
        var plan = Planned(ReadTravis("language: shell", "env:", "  matrix:", "    - A=1", "    - A=2", "script: x"));

        Assert.Equal(2, plan.Workflows[0].Jobs.Count);
    }

    [Fact]
    public void Jobs_include_entries_override_the_root_and_keep_global_env()
    {
        var plan = Planned(ReadTravis(
            "language: shell",
            "env:",
            "  global: G=1",
            "script: make test",
            "jobs:",
            "  include:",
            "    - name: Lint",
            "      script: make lint",
            "    - env: [A=1, B=2]",
            "      install: make deps"));

        var jobs = plan.Workflows[0].Jobs;
        Assert.Equal(["Lint", "job 2 (shell)"], jobs.Select(job => job.Name));
        Assert.Contains("make lint", jobs[0].Steps[1].Command, StringComparison.Ordinal);
        Assert.Equal([new("G", "1")], jobs[0].Environment);
        Assert.Equal(["checkout", "install", "script"], jobs[1].Steps.Select(step => step.Name));
        Assert.Contains("make test", jobs[1].Steps[2].Command, StringComparison.Ordinal);
        Assert.Equal([new("G", "1"), new("A", "1"), new("B", "2")], jobs[1].Environment);
    }

    [Fact]
    public void Env_matrix_jobs_come_before_include_jobs()
    {
        var plan = Planned(ReadTravis(
            "language: shell",
            "env: [A=1, A=2]",
            "script: x",
            "matrix:",
            "  include:",
            "    - env: A=3",
            "  fast_finish: false"));

        Assert.Equal(
            ["1", "2", "3"],
            plan.Workflows[0].Jobs.Select(job => Assert.Single(job.Environment).Value));
    }

    [Fact]
    public void Duplicate_include_names_are_made_unique()
    {
        var plan = Planned(ReadTravis("language: shell", "script: x", "jobs:", "  include:", "    - name: same", "    - name: same"));

        Assert.Equal(["same", "same (job 2)"], plan.Workflows[0].Jobs.Select(job => job.Name));
    }

    [Fact]
    public void Skip_runs_no_step_for_that_phase_and_counts_as_given()
    {
        var job = OnlyJob(ReadTravis("language: ruby", "install: skip", "script: rake"));

        Assert.Equal(["checkout", "script"], job.Steps.Select(step => step.Name));
    }

    [Fact]
    public void A_missing_script_is_refused_at_the_language()
    {
        var result = ReadTravis("sudo: false", "language: generic", "install: true");

        OnlyError(result, 2, 1, "language default script (generic) is not supported; add a script: key", "language default script (generic)");
    }

    [Fact]
    public void Without_a_language_travis_uses_ruby_whose_default_install_is_refused_at_the_top()
    {
        var result = ReadTravis("script: rake");

        OnlyError(result, 1, 1, "language default install (ruby) is not supported; add an install: key", "language default install (ruby)");
    }

    [Theory]
    [InlineData("os: osx", 1, 5, "os: osx is not supported", "os: osx")]
    [InlineData("os: [linux, windows]", 1, 13, "os: windows is not supported", "os: windows")]
    [InlineData("addons: {apt: {packages: [x]}}", 1, 1, "addons are not supported", "addons")]
    [InlineData("services: [redis]", 1, 1, "services are not supported", "services")]
    [InlineData("deploy: {provider: pages}", 1, 1, "deploy is not supported", "deploy")]
    [InlineData("stages: [test, deploy]", 1, 1, "stages are not supported", "stages")]
    [InlineData("if: branch = main", 1, 1, "conditions (if) are not supported", "conditions (if)")]
    [InlineData("branches: {only: [main]}", 1, 1, "branch filters (branches) are not supported", "branch filters")]
    [InlineData("dist: trusty", 1, 1, "dist: trusty is not supported", "dist")]
    [InlineData("git: {depth: 3}", 1, 7, "git.depth is not supported", "git.depth")]
    [InlineData("node_js: [\"8\", \"10\"]", 1, 1, "language version matrices (node_js) are not supported", "language version matrices (node_js)")]
    [InlineData("python: \"3.8\"", 1, 1, "language versions (python) are not supported", "language versions (python)")]
    [InlineData("compiler: gcc", 1, 1, "compiler is not supported", "compiler")]
    [InlineData("frobnicate: true", 1, 1, "unknown key 'frobnicate'", null)]
    public void Keys_that_change_the_run_are_refused_by_name(string yaml, int line, int column, string message, string? feature)
    {
        var result = ReadTravis(yaml, "language: shell", "script: x");

        var error = OnlyError(result, line, column, message);
        Assert.Equal(feature, error.Feature);
    }

    [Fact]
    public void Sudo_os_linux_and_notifications_are_accepted_because_they_change_nothing_here()
    {
        Assert.True(ReadTravis(
            "language: shell",
            "os: linux",
            "sudo: required",
            "notifications:",
            "  email: false",
            "script: x").IsValid);
    }

    [Theory]
    [InlineData("allow_failures: [{env: A=1}]", "allow_failures is not supported", "allow_failures")]
    [InlineData("fast_finish: true", "fast_finish is not supported", "fast_finish")]
    [InlineData("exclude: [{env: A=1}]", "exclude is not supported", "exclude")]
    public void Matrix_settings_are_refused_by_name(string yaml, string message, string feature)
    {
        var result = ReadTravis("language: shell", "script: x", "jobs:", $"  {yaml}");

        OnlyError(result, 4, 3, message, feature);
    }

    [Fact]
    public void Include_entries_are_checked_like_the_root()
    {
        var result = ReadTravis(
            "language: shell",
            "script: x",
            "jobs:",
            "  include:",
            "    - stage: test",
            "      services: [docker]",
            "    - os: osx");

        ErrorAt(result, 5, 7, "stages are not supported", "stages");
        ErrorAt(result, 6, 7, "services are not supported", "services");
        ErrorAt(result, 7, 11, "os: osx is not supported", "os: osx");
        Assert.Equal(3, result.Errors.Count);
    }

    [Fact]
    public void Encrypted_variables_are_refused_at_the_entry()
    {
        var result = ReadTravis("language: shell", "env:", "  global:", "    - A=1", "    - secure: abc=", "script: x");

        OnlyError(result, 5, 7, "encrypted variables (secure) are not supported", "encrypted variables (secure)");
    }

    [Fact]
    public void An_unterminated_quote_in_env_is_an_error_at_the_entry()
    {
        OnlyError(ReadTravis("language: shell", "env: A=\"oops", "script: x"), 2, 6, "env entry 'A=\"oops': a \" quote is not closed");
    }

    [Fact]
    public void A_command_that_yaml_reads_as_a_map_gets_a_hint()
    {
        var result = ReadTravis("language: shell", "script:", "  - echo key: value");

        OnlyError(result, 3, 5, "a script command must be a string, found a map (YAML reads an unquoted command with ': ' in it as a map; quote the command)");
    }

    [Fact]
    public void A_phase_that_is_a_map_is_an_error()
    {
        OnlyError(ReadTravis("language: shell", "script: {a: b}"), 2, 9, "script must be a command or a list of commands, found a map");
    }

    [Fact]
    public void Jobs_and_matrix_together_are_an_error()
    {
        var result = ReadTravis("language: shell", "script: x", "jobs: {include: [{name: a}]}", "matrix: {include: [{name: b}]}");

        OnlyError(result, 4, 1, "jobs and matrix are two names for one key; keep one");
    }

    [Fact]
    public void Phase_commands_keep_block_scalars_whole()
    {
        var job = OnlyJob(ReadTravis(
            "language: shell",
            "script:",
            "  - |",
            "    if [ -n \"$X\" ]; then",
            "      echo yes",
            "    fi",
            "  - if [ \"$A\" = b ]; then",
            "      echo plain;",
            "    fi"));

        var command = job.Steps[1].Command!;
        Assert.Contains("if [ -n \"$X\" ]; then\n  echo yes\nfi\n", command, StringComparison.Ordinal);
        Assert.Contains("if [ \"$A\" = b ]; then echo plain; fi", command, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_shapes_in_include_entries_are_errors()
    {
        var result = ReadTravis(
            "language: shell",
            "script: x",
            "jobs:",
            "  include:",
            "    - env: {global: A=1}",
            "    - name: [a, b]",
            "    - matrix: {}",
            "    - just-a-string");

        ErrorAt(result, 5, 12, "the env of a jobs.include entry must be a string or a list, found a map");
        ErrorAt(result, 6, 13, "name must be a string, found a list");
        ErrorAt(result, 7, 7, "unknown key 'matrix' in a jobs.include entry");
        ErrorAt(result, 8, 7, "a jobs.include entry must be a map, found a string");
        Assert.Equal(4, result.Errors.Count);
    }

    [Fact]
    public void A_language_that_is_not_a_string_is_an_error()
    {
        OnlyError(ReadTravis("language: [ruby]", "script: x"), 1, 11, "language must be a string, found a list");
    }

    [Fact]
    public void An_env_map_with_an_unknown_key_is_an_error()
    {
        OnlyError(ReadTravis("language: shell", "env:", "  globals: A=1", "script: x"), 3, 3, "unknown env key 'globals'");
    }
}
