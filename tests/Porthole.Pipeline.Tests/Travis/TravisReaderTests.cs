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
            ["checkout", "setup", "before_install", "install", "script", "after_success", "after_failure", "after_script"],
            job.Steps.Select(step => step.Name));
        Assert.Equal(StepKind.Checkout, job.Steps[0].Kind);
        Assert.All(job.Steps.Skip(1), step =>
        {
            Assert.Equal(StepKind.Run, step.Kind);
            Assert.Equal("/bin/bash", step.Shell);
            Assert.Equal(step.Name, step.Phase);
        });
        Assert.Equal(
            [(StepCondition.OnSuccess, true), (StepCondition.OnSuccess, true), (StepCondition.OnSuccess, true), (StepCondition.OnSuccess, true), (StepCondition.OnSuccess, false), (StepCondition.OnFail, false), (StepCondition.Always, false)],
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
        Assert.Equal(["checkout", "setup", "script"], jobs[0].Steps.Select(step => step.Name));
        Assert.Contains("make lint", jobs[0].Steps[2].Command, StringComparison.Ordinal);
        Assert.Equal([new("G", "1")], jobs[0].Environment);
        Assert.Equal(["checkout", "setup", "install", "script"], jobs[1].Steps.Select(step => step.Name));
        Assert.Contains("make test", jobs[1].Steps[3].Command, StringComparison.Ordinal);
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
        // Two entries that differ only in env: equal entries would be one job, as Travis drops duplicate jobs (§B9 step 8).
        var plan = Planned(ReadTravis("language: shell", "script: x", "jobs:", "  include:", "    - name: same", "      env: A=1", "    - name: same", "      env: A=2"));

        Assert.Equal(["same", "same (job 2)"], plan.Workflows[0].Jobs.Select(job => job.Name));
    }

    [Fact]
    public void Skip_runs_no_step_for_that_phase_and_counts_as_given()
    {
        var job = OnlyJob(ReadTravis("language: ruby", "install: skip", "script: rake"));

        Assert.Equal(["checkout", "setup", "script"], job.Steps.Select(step => step.Name));
        Assert.Contains("rake", job.Steps[2].Command, StringComparison.Ordinal);
    }

    [Fact]
    public void A_generic_job_without_a_script_runs_no_script_step()
    {
        // §B8: generic's default script is nothing, so a job with no script: passes after its install.
        var job = OnlyJob(ReadTravis("sudo: false", "language: generic", "install: true"));

        Assert.Equal(["checkout", "setup", "install"], job.Steps.Select(step => step.Name));
    }

    [Fact]
    public void Without_a_language_travis_uses_ruby_and_its_default_install_runs()
    {
        // §B8: language defaults to ruby; install is absent, so ruby's default (bundle install) runs.
        var job = OnlyJob(ReadTravis("script: rake"));

        Assert.Equal("job 1 (ruby)", job.Name);
        Assert.Equal(["checkout", "setup", "install", "script"], job.Steps.Select(step => step.Name));
        Assert.Contains("bundle install", job.Steps[2].Command, StringComparison.Ordinal);
        Assert.Contains("No Gemfile found, skipping bundle install", job.Steps[2].Command, StringComparison.Ordinal);
        Assert.Contains("rake", job.Steps[3].Command, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_language_runs_as_ruby_with_a_warning()
    {
        // §B8: travis-build falls back to the Ruby script for any unknown language.
        var result = ReadTravis("language: cobol", "script: make");

        var job = OnlyJob(result);
        Assert.Equal(["checkout", "setup", "install", "script"], job.Steps.Select(step => step.Name));
        Assert.Contains("bundle install", job.Steps[2].Command, StringComparison.Ordinal);
        var warning = Assert.Single(result.Warnings);
        Assert.Equal((1, 1), (warning.Line, warning.Column));
        Assert.Contains("cobol", warning.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("os: freebsd", 1, 5, "os: freebsd is not supported", "os: freebsd")]
    [InlineData("os: [linux, freebsd]", 1, 13, "os: freebsd is not supported", "os: freebsd")]
    [InlineData("import: shared.yml", 1, 1, "imports are not supported", "import")]
    [InlineData("git: {lfs_skip_smudge: true}", 1, 7, "git.lfs_skip_smudge is not supported", "git.lfs_skip_smudge")]
    [InlineData("frobnicate: true", 1, 1, "unknown key 'frobnicate'", null)]
    public void Keys_that_change_the_run_are_refused_by_name(string yaml, int line, int column, string message, string? feature)
    {
        var result = ReadTravis(yaml, "language: shell", "script: x");

        var error = OnlyError(result, line, column, message);
        Assert.Equal(feature, error.Feature);
    }

    [Theory]
    [InlineData("if: branch = main", "if: conditions are decided when a pipeline is triggered")]
    [InlineData("branches: {only: [main]}", null)]
    [InlineData("stages: [test, deploy]", null)]
    public void Conditions_branches_and_stages_are_accepted_and_without_a_trigger_the_build_is_made(string yaml, string? warning)
    {
        // §B11, §B12: decided per trigger; a config read without one (a dry run) plans the build.
        var result = ReadTravis(yaml, "language: shell", "script: x");

        Assert.Single(Planned(result).Workflows[0].Jobs);
        Assert.Equal(warning is null ? 0 : 1, result.Warnings.Count);
        if (warning is not null)
        {
            Assert.Contains(warning, result.Warnings[0].Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Stages_put_matrix_jobs_in_test_and_run_in_turn()
    {
        // §B10: a job without stage: is in the stages: entry named test; a later stage requires the jobs of the one before.
        var plan = Planned(ReadTravis(
            "language: shell",
            "script: x",
            "stages: [test, deploy]",
            "jobs:",
            "  include:",
            "    - script: a",
            "    - stage: deploy",
            "      script: b"));

        var jobs = plan.Workflows[0].Jobs;
        Assert.Equal([("test", 0), ("deploy", 1)], jobs.Select(job => (job.Stage, job.Requires.Count)));
        Assert.Equal([jobs[0].Name], jobs[1].Requires);
    }

    [Fact]
    public void Dist_is_accepted_with_a_warning()
    {
        var result = ReadTravis("dist: trusty", "language: shell", "script: x");

        Assert.Single(Planned(result).Workflows[0].Jobs);
        var warning = Assert.Single(result.Warnings);
        Assert.Equal((1, 1), (warning.Line, warning.Column));
        Assert.Contains("dist: trusty", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_language_version_list_is_one_job_per_version()
    {
        // §B9: node_js is a matrix key of node_js builds; each job gets its version.
        var plan = Planned(ReadTravis("language: node_js", "node_js: [\"8\", \"10\"]", "script: x"));

        var jobs = plan.Workflows[0].Jobs;
        Assert.Equal(2, jobs.Count);
        Assert.Contains("TRAVIS_NODE_VERSION='8'", jobs[0].Steps.Single(step => step.Name == "setup").Command, StringComparison.Ordinal);
        Assert.Contains("TRAVIS_NODE_VERSION='10'", jobs[1].Steps.Single(step => step.Name == "setup").Command, StringComparison.Ordinal);

        // A job that names its version runs in that version's official image (decision 14).
        Assert.Equal([(ExecutorKind.Docker, "node:8"), (ExecutorKind.Docker, "node:10")], jobs.Select(job => (job.Executor.Kind, job.Executor.Image)));
    }

    [Fact]
    public void A_single_language_version_is_the_jobs_version()
    {
        var job = OnlyJob(ReadTravis("language: python", "python: \"3.8\"", "script: x"));

        Assert.Equal("setup", job.Steps[1].Name);
        Assert.Contains("TRAVIS_PYTHON_VERSION='3.8'", job.Steps[1].Command, StringComparison.Ordinal);
    }

    [Fact]
    public void A_version_key_of_another_language_is_dropped_as_travis_drops_it()
    {
        // §B9 Support: node_js: on a shell build is not a matrix key, so it makes one job.
        Assert.Single(Planned(ReadTravis("language: shell", "node_js: [\"8\", \"10\"]", "script: x")).Workflows[0].Jobs);
    }

    [Theory]
    [InlineData("osx", ExecutorKind.MacOs, "no macOS runner")]
    [InlineData("windows", ExecutorKind.Windows, "no Windows runner")]
    public void Macos_and_windows_jobs_are_planned_for_a_runner_of_that_system_with_a_warning(string os, ExecutorKind kind, string says)
    {
        var result = ReadTravis("language: shell", $"os: [linux, {os}]", "osx_image: xcode12", "script: x");

        var jobs = Planned(result).Workflows[0].Jobs;
        Assert.Equal([ExecutorKind.Shell, kind], jobs.Select(job => job.Executor.Kind));
        Assert.Equal(["linux", os], jobs.Select(job => job.Platform!.Os));
        Assert.Contains(says, jobs[1].Executor.Description, StringComparison.Ordinal);
        Assert.Equal(os == "osx" ? "xcode12" : null, jobs[1].Platform!.Dist);
        var warning = Assert.Single(result.Warnings, w => w.Message.Contains(says, StringComparison.Ordinal));
        Assert.Equal((2, 13), (warning.Line, warning.Column));
    }

    [Fact]
    public void Group_arch_version_and_conditions_are_accepted_and_a_foreign_arch_is_named()
    {
        var result = ReadTravis("language: shell", "group: edge", "arch: arm64", "version: ~> 1.0", "conditions: v1", "script: x");

        Assert.Single(Planned(result).Workflows[0].Jobs);
        Assert.Contains(result.Warnings, w => w.Line == 3 && w.Message.Contains("arch: arm64", StringComparison.Ordinal));
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

    [Fact]
    public void Matrix_settings_exclude_allow_failures_and_fast_finish_shape_the_plan()
    {
        // §B9: exclude drops the job, allow_failures marks it, fast_finish is the workflow's.
        var plan = Planned(ReadTravis(
            "language: shell",
            "script: x",
            "env: [A=1, A=2, A=3]",
            "jobs:",
            "  exclude: [{env: A=1}]",
            "  allow_failures: [{env: A=3}]",
            "  fast_finish: true"));

        var workflow = Assert.Single(plan.Workflows);
        Assert.True(workflow.FastFinish);
        Assert.Equal([("2", false), ("3", true)], workflow.Jobs.Select(job => (Assert.Single(job.Environment).Value, job.AllowFailure)));
    }

    [Fact]
    public void Include_entries_are_checked_like_the_root()
    {
        var result = ReadTravis(
            "language: shell",
            "script: x",
            "jobs:",
            "  include:",
            "    - import: shared.yml",
            "      git: {lfs_skip_smudge: true}",
            "    - os: freebsd");

        ErrorAt(result, 5, 7, "imports are not supported", "import");
        ErrorAt(result, 6, 13, "git.lfs_skip_smudge is not supported", "git.lfs_skip_smudge");
        ErrorAt(result, 7, 11, "os: freebsd is not supported", "os: freebsd");
        Assert.Equal(3, result.Errors.Count);
    }

    [Fact]
    public void Encrypted_variables_are_carried_for_the_server_to_decrypt()
    {
        // §B12; the rest of secure values is in TravisSecureEnvTests.
        var job = OnlyJob(ReadTravis("language: shell", "env:", "  global:", "    - A=1", "    - secure: abc=", "script: x"));

        Assert.Equal([new SecureValuePlan("abc=", 5, 7)], job.SecureEnvironment);
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
    public void Jobs_and_matrix_together_warn_and_jobs_is_used()
    {
        // travis-yml: "both jobs and matrix given. jobs overwrites matrix".
        var result = ReadTravis("language: shell", "script: x", "jobs: {include: [{name: a}]}", "matrix: {include: [{name: b}]}");

        Assert.Equal(["a"], Planned(result).Workflows[0].Jobs.Select(job => job.Name));
        var warning = Assert.Single(result.Warnings);
        Assert.Equal((4, 1), (warning.Line, warning.Column));
        Assert.Contains("'jobs' is used", warning.Message, StringComparison.Ordinal);
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

        Assert.Equal("script", job.Steps[2].Name);
        var command = job.Steps[2].Command!;
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

        // global: is a section of the root's env, not a variable of a job's.
        ErrorAt(result, 5, 13, "env.global is a section of the root's env, not a variable: a job's env is NAME=value entries or a map of variables");
        ErrorAt(result, 6, 13, "a job's name must be a string, found a list");
        ErrorAt(result, 7, 7, "unknown key 'matrix' in a jobs.include entry");
        ErrorAt(result, 8, 7, "a jobs.include entry must be a map of job keys such as 'rvm: 3.2', found the string 'just-a-string'");
        Assert.Equal(4, result.Errors.Count);
    }

    [Fact]
    public void The_compiler_key_is_read_by_the_c_setup()
    {
        // §B8: c's setup exports CC (and CC_FOR_BUILD) for the job's compiler; compiler is also a matrix key (§B9).
        var plan = Planned(ReadTravis("language: c", "compiler: [gcc, clang]", "script: make"));

        var jobs = Assert.Single(plan.Workflows).Jobs;
        Assert.Equal(2, jobs.Count);
        Assert.Contains("clang", jobs[1].Steps.Single(step => step.Name == "setup").Command, StringComparison.Ordinal);
        Assert.DoesNotContain("clang", jobs[0].Steps.Single(step => step.Name == "setup").Command, StringComparison.Ordinal);
    }

    [Fact]
    public void A_language_that_is_not_a_string_is_an_error()
    {
        OnlyError(ReadTravis("language: [ruby]", "script: x"), 1, 11, "language must be one language, found a list; Travis would use the first, 'ruby'");
    }

    [Fact]
    public void An_env_map_with_a_variable_beside_jobs_is_an_error()
    {
        OnlyError(ReadTravis("language: shell", "env:", "  jobs: [A=1]", "  globals: A=1", "script: x"), 4, 3, "unknown env key 'globals'; beside env.jobs, env takes only global:");
    }

    [Fact]
    public void An_env_map_of_variables_is_one_job_with_those_variables()
    {
        // TY schema/def/env.rb: env is prefixed with jobs, and an env var may be a map (example FOO: 'foo').
        var job = OnlyJob(ReadTravis("language: shell", "env:", "  DB: postgres", "  PORT: 5432", "script: x"));

        Assert.Equal([new("DB", "postgres"), new("PORT", "5432")], job.Environment);
    }
}
