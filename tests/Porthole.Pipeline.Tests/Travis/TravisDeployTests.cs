using Porthole.Contracts.Plans;
using Porthole.Pipeline.Travis;
using Porthole.Pipeline.Tests.Support;
using static Porthole.Pipeline.Tests.Support.Configs;

namespace Porthole.Pipeline.Tests.Travis;

/// <summary>
/// Travis's <c>deploy:</c> (dialects.md §B0: deploy runs inside after_success, before_deploy → provider → after_deploy;
/// §B12 "deploy": the <c>on:</c> conditions). The conditions are decided at run time, so the tests run the generated
/// steps with bash (<see cref="PhaseRunner"/>) with Travis's variables set as the runner sets them.
/// </summary>
public sealed class TravisDeployTests
{
    private static JobPlan Job(params string[] lines) => OnlyJob(ReadTravis(["language: shell", "script: echo tested", .. lines]));

    /// <summary>Runs the job's steps with the runner's Travis variables: a push to <paramref name="branch"/>.</summary>
    private static (string Output, PhaseRunner Runner) Run(JobPlan job, string branch = "master", params (string Name, string Value)[] variables)
    {
        (string, string)[] travis = [("TRAVIS_BRANCH", branch), ("TRAVIS_PULL_REQUEST", "false"), ("TRAVIS_REPO_SLUG", "owner/project")];
        var environment = travis.Where(pair => variables.All(given => given.Name != pair.Item1)).Concat(variables)
            .Select(pair => new EnvironmentVariable(pair.Item1, pair.Item2));
        var runner = new PhaseRunner().Run(job with { Environment = [.. job.Environment, .. environment] });
        return (runner.Output.ToString(), runner);
    }

    private static string Deploying(string script = "echo DEPLOYED") => "deploy: {provider: script, script: '" + script + "'}";

    [Fact]
    public void The_deploy_step_comes_right_after_after_success_and_runs_only_on_success()
    {
        var job = Job("after_success: echo ok", "after_script: echo done", Deploying());

        var names = job.Steps.Where(step => step.Kind == StepKind.Run).Select(step => step.Name).ToList();
        Assert.Equal(["setup", "script", "after_success", "deploy (script)", "after_script"], names);
        var deploy = job.Steps.Single(step => step.Name == "deploy (script)");
        Assert.Equal(StepCondition.OnSuccess, deploy.When);
        Assert.True(deploy.AffectsResult);
        Assert.Equal("deploy", deploy.Phase);
        Assert.Equal(["echo DEPLOYED"], PhaseHeader.ReadCommands(deploy.Command!));
    }

    [Fact]
    public void On_master_before_deploy_the_script_and_after_deploy_run_in_the_jobs_one_shell()
    {
        // §B0: one bash session; before_deploy → provider → after_deploy.
        var job = Job(
            "before_install: export FROM_INSTALL=seen",
            "before_deploy:",
            "  - export VERSION=1.2",
            "  - echo \"before $FROM_INSTALL\"",
            "deploy:",
            "  provider: script",
            "  script: echo \"deploying $VERSION\"",
            "after_deploy: echo \"after $VERSION\"",
            "after_script: echo \"later $VERSION\"");

        var (output, runner) = Run(job);
        using (runner)
        {
            Assert.Equal(0, runner.ExitCodeOf("deploy (script)"));
            var before = output.IndexOf("before seen\n", StringComparison.Ordinal);
            var deploying = output.IndexOf("deploying 1.2\n", StringComparison.Ordinal);
            var after = output.IndexOf("after 1.2\n", StringComparison.Ordinal);
            Assert.True(before >= 0 && deploying > before && after > deploying, output);
            Assert.Contains("later 1.2\n", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Another_branch_does_not_deploy_and_the_log_says_why_as_travis_does()
    {
        var job = Job("before_deploy: echo NO_BEFORE", Deploying("echo NO_DEPLOY"));

        var (output, runner) = Run(job, branch: "feature");
        using (runner)
        {
            Assert.Equal(0, runner.ExitCodeOf("deploy (script)"));
            Assert.Contains("Skipping a deployment with the script provider because this branch is not permitted: feature", output, StringComparison.Ordinal);
            Assert.DoesNotContain("NO_", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_pull_request_never_deploys()
    {
        var job = Job("deploy: {provider: script, script: echo NO_DEPLOY, on: {all_branches: true}}");

        var (output, runner) = Run(job, "master", ("TRAVIS_PULL_REQUEST", "12"));
        using (runner)
        {
            Assert.Contains("Skipping a deployment with the script provider because the current build is a pull request.", output, StringComparison.Ordinal);
            Assert.DoesNotContain("NO_DEPLOY", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_failing_script_phase_leaves_the_deploy_step_not_run()
    {
        var job = OnlyJob(ReadTravis("language: shell", "script: 'false'", Deploying("echo NO_DEPLOY")));

        var (output, runner) = Run(job);
        using (runner)
        {
            Assert.DoesNotContain(runner.Results, result => result.Step.StartsWith("deploy", StringComparison.Ordinal));
            Assert.DoesNotContain("NO_DEPLOY", output, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("release/*", "release/1", false)]
    [InlineData("release/*", "release/*", true)]
    [InlineData("it's", "it's", true)]
    [InlineData("$(touch PWNED)", "x", false)]
    public void A_branch_name_is_compared_literally(string branch, string pushed, bool deploys)
    {
        var job = Job("deploy:", "  provider: script", "  script: echo DEPLOYED", "  on:", "    branch: \"" + branch.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"");

        var (output, runner) = Run(job, pushed);
        using (runner)
        {
            Assert.Equal(deploys, output.Contains("DEPLOYED\n", StringComparison.Ordinal));
            Assert.False(File.Exists(Path.Combine(runner.Checkout, "PWNED")));
        }
    }

    [Fact]
    public void A_list_of_branches_deploys_from_each_of_them()
    {
        var job = Job("deploy: {provider: script, script: echo DEPLOYED, on: {branch: [main, production]}}");

        foreach (var (branch, deploys) in new[] { ("main", true), ("production", true), ("master", false) })
        {
            var (output, runner) = Run(job, branch);
            using (runner)
            {
                Assert.Equal(deploys, output.Contains("DEPLOYED\n", StringComparison.Ordinal));
            }
        }
    }

    [Fact]
    public void Tags_true_deploys_a_tag_build_of_any_branch_and_nothing_else()
    {
        // §B12: tags: true drops the branch condition.
        var job = Job("deploy: {provider: script, script: echo DEPLOYED, on: {tags: true, branch: master}}");

        var (tagged, taggedRunner) = Run(job, "v1.0", ("TRAVIS_TAG", "v1.0"));
        var (untagged, untaggedRunner) = Run(job, "master");
        using (taggedRunner)
        using (untaggedRunner)
        {
            Assert.Contains("DEPLOYED\n", tagged, StringComparison.Ordinal);
            Assert.DoesNotContain("DEPLOYED\n", untagged, StringComparison.Ordinal);
            Assert.Contains("Skipping a deployment with the script provider because this is not a tagged commit", untagged, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Tags_false_keeps_the_branch_condition_and_skips_tag_builds()
    {
        var job = Job("deploy: {provider: script, script: echo DEPLOYED, on: {tags: false}}");

        var (tagged, taggedRunner) = Run(job, "master", ("TRAVIS_TAG", "v1.0"));
        var (other, otherRunner) = Run(job, "dev");
        using (taggedRunner)
        using (otherRunner)
        {
            Assert.DoesNotContain("DEPLOYED\n", tagged, StringComparison.Ordinal);
            Assert.Contains("because this is a tagged commit", tagged, StringComparison.Ordinal);
            Assert.Contains("this branch is not permitted: dev", other, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Each_failed_condition_prints_its_reason_in_travis_order()
    {
        var job = Job(
            "env: DEPLOY=no",
            "deploy:",
            "  provider: script",
            "  script: echo DEPLOYED",
            "  on:",
            "    repo: owner/other",
            "    node_js: '10'",
            "    condition: $DEPLOY = yes",
            "    tags: true");

        var (output, runner) = Run(job, "master", ("TRAVIS_NODE_VERSION", "12"));
        using (runner)
        {
            string[] reasons =
            [
                "this repo's name does not match one specified in .travis.yml's deploy.on.repo: owner/other",
                "this is not on the required runtime",
                "a custom condition was not met",
                "this is not a tagged commit",
            ];
            var at = reasons.Select(reason => output.IndexOf("Skipping a deployment with the script provider because " + reason, StringComparison.Ordinal)).ToList();
            Assert.All(at, index => Assert.True(index >= 0, output));
            Assert.Equal(at.Order(), at);
            Assert.DoesNotContain("not permitted", output, StringComparison.Ordinal);
            Assert.DoesNotContain("DEPLOYED\n", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Repo_runtime_and_conditions_that_hold_deploy()
    {
        var job = Job(
            "env: DEPLOY=yes",
            "before_install: export FLAVOUR=full",
            "deploy:",
            "  provider: script",
            "  script: echo DEPLOYED",
            "  on:",
            "    repo: owner/project",
            "    rvm: 2.7",
            "    condition:",
            "      - $DEPLOY = yes",
            "      - \"$FLAVOUR == f*\"");

        var (output, runner) = Run(job, "master", ("TRAVIS_RUBY_VERSION", "2.7"));
        using (runner)
        {
            Assert.Contains("DEPLOYED\n", output, StringComparison.Ordinal);
            Assert.DoesNotContain("Skipping", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_condition_that_is_not_valid_bash_fails_only_itself()
    {
        var job = Job("deploy: {provider: script, script: echo DEPLOYED, on: {condition: '( = ]] ; touch PWNED'}}");

        var (output, runner) = Run(job);
        using (runner)
        {
            Assert.Equal(0, runner.ExitCodeOf("deploy (script)"));
            Assert.Contains("because a custom condition was not met", output, StringComparison.Ordinal);
            Assert.DoesNotContain("DEPLOYED\n", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_failing_before_deploy_stops_the_job_before_the_script()
    {
        // TD job-lifecycle.md "Breaking the Build": a before_deploy failure errors the job (TB stages.rb: assert).
        var job = Job("before_deploy: ['(exit 4)', echo NO_MORE]", "after_deploy: echo NO_AFTER", Deploying("echo NO_DEPLOY"));

        var (output, runner) = Run(job);
        using (runner)
        {
            Assert.Equal(4, runner.ExitCodeOf("deploy (script)"));
            Assert.True(runner.Failed);
            Assert.Contains("failed and exited with 4 during before_deploy", output, StringComparison.Ordinal);
            Assert.DoesNotContain("NO_", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_failing_deploy_script_fails_the_job_and_after_deploy_does_not_run()
    {
        // TB script.rb#run_command: "failed to deploy", then travis_terminate 2.
        var job = Job("after_deploy: echo NO_AFTER", "deploy: {provider: script, script: ['exit 3', echo NO_SECOND]}");

        var (output, runner) = Run(job);
        using (runner)
        {
            Assert.Equal(3, runner.ExitCodeOf("deploy (script)"));
            Assert.True(runner.Failed);
            Assert.Contains("failed to deploy", output, StringComparison.Ordinal);
            Assert.DoesNotContain("NO_AFTER\n", output, StringComparison.Ordinal);
            Assert.DoesNotContain("NO_SECOND\n", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void With_allow_failure_a_failing_deploy_and_a_failing_after_deploy_leave_the_job_passed()
    {
        var job = Job("after_deploy: ['(exit 5)', echo AFTER]", "deploy: {provider: script, script: 'exit 3', allow_failure: true}");

        var (output, runner) = Run(job);
        using (runner)
        {
            Assert.Equal(0, runner.ExitCodeOf("deploy (script)"));
            Assert.False(runner.Failed, output);
            Assert.Contains("AFTER\n", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Set_e_left_on_by_a_phase_is_off_while_deploying_and_on_again_afterwards()
    {
        // TB script.rb#run: with_errexit_off. With set -e on, the failing script would end the step before after_deploy.
        var job = Job(
            "before_script: set -e",
            "deploy: {provider: script, script: 'exit 3', allow_failure: true}",
            "after_deploy: echo AFTER_DEPLOY",
            "after_script: echo \"flags $-\"");

        var (output, runner) = Run(job);
        using (runner)
        {
            Assert.Equal(0, runner.ExitCodeOf("deploy (script)"));
            Assert.Contains("AFTER_DEPLOY\n", output, StringComparison.Ordinal);
            Assert.Matches("flags [a-zA-Z]*e", output);
        }
    }

    [Fact]
    public void Another_provider_is_planned_warned_about_and_says_at_run_time_that_it_was_not_run()
    {
        var result = ReadTravis("language: shell", "script: echo tested", "deploy:", "  provider: releases", "  api_key: {secure: abc}", "  file: out.tar");

        var job = OnlyJob(result);
        var warning = Assert.Single(result.Warnings, w => w.Message.Contains("releases", StringComparison.Ordinal));
        Assert.Equal((4, 13), (warning.Line, warning.Column));
        var deploy = Assert.Single(job.Steps, step => step.Phase == "deploy");
        Assert.Equal("deploy (releases, not run)", deploy.Name);
        Assert.False(deploy.AffectsResult);

        var (output, runner) = Run(job);
        using (runner)
        {
            Assert.Equal(0, runner.ExitCodeOf(deploy.Name));
            Assert.Contains("Porthole does not run the releases provider", output, StringComparison.Ordinal);
            Assert.Contains("provider: script", output, StringComparison.Ordinal);
        }

        var (elsewhere, otherRunner) = Run(job, "feature");
        using (otherRunner)
        {
            Assert.Contains("Skipping a deployment with the releases provider because this branch is not permitted: feature", elsewhere, StringComparison.Ordinal);
            Assert.DoesNotContain("Porthole does not run", elsewhere, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_list_of_providers_makes_one_numbered_step_each_with_before_deploy_before_each()
    {
        var job = Job(
            "before_deploy: echo BEFORE",
            "deploy:",
            "  - provider: script",
            "    script: echo FIRST",
            "  - provider: pypi",
            "    password: {secure: abc}",
            "  - provider: script",
            "    script: echo THIRD",
            "    on: production");

        Assert.Equal(["deploy 1 (script)", "deploy 2 (pypi, not run)", "deploy 3 (script)"], job.Steps.Where(step => step.Phase == "deploy").Select(step => step.Name));
        var (output, runner) = Run(job, "production");
        using (runner)
        {
            Assert.DoesNotContain("FIRST\n", output, StringComparison.Ordinal);
            Assert.Contains("THIRD\n", output, StringComparison.Ordinal);
            Assert.Single(output.Split('\n'), line => line == "BEFORE");
        }
    }

    [Fact]
    public void On_written_as_yaml_1_1_true_and_per_branch_option_hashes_give_the_branches()
    {
        // TB reads config[:on] || config[true]; without on.branch the branches are the keys of per-branch option hashes.
        var job = Job(
            "deploy:",
            "  - provider: script",
            "    script: echo TRUE_KEY",
            "    true: {branch: dev}",
            "  - provider: script",
            "    script: echo HASHES",
            "    bucket: {staging: a, production: b}",
            "    token: {secure: abc}");

        var (output, runner) = Run(job, "staging");
        using (runner)
        {
            Assert.Contains("HASHES\n", output, StringComparison.Ordinal);
            Assert.DoesNotContain("TRUE_KEY\n", output, StringComparison.Ordinal);
        }

        var (dev, devRunner) = Run(job, "dev");
        using (devRunner)
        {
            Assert.Contains("TRUE_KEY\n", dev, StringComparison.Ordinal);
            Assert.DoesNotContain("HASHES\n", dev, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("cleanup: true", "CLEANED")]
    [InlineData("skip_cleanup: true", "KEPT")]
    [InlineData("skip_cleanup: false", "KEPT")]
    public void Only_cleanup_true_stashes_the_build_output_before_the_script(string setting, string expected)
    {
        // dpl v2, which Travis runs by default, cleans the checkout only with cleanup: true; skip_cleanup was dpl v1's.
        var job = Job("before_deploy: touch built.txt", "deploy: {provider: script, script: 'if [ -e built.txt ]; then echo KEPT; else echo CLEANED; fi', " + setting + "}");
        using var runner = new PhaseRunner();
        Git(runner.Checkout, "init", "--quiet");
        File.WriteAllText(Path.Combine(runner.Checkout, "tracked.txt"), "x");
        Git(runner.Checkout, "add", "tracked.txt");
        Git(runner.Checkout, "-c", "user.name=t", "-c", "user.email=t@localhost", "commit", "--quiet", "-m", "first");

        runner.Run(job with { Environment = [new("TRAVIS_BRANCH", "master"), new("TRAVIS_PULL_REQUEST", "false")] });

        Assert.Contains(expected + "\n", runner.Output.ToString(), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(runner.Checkout, "tracked.txt")));
    }

    private static void Git(string directory, params string[] arguments)
    {
        var start = new System.Diagnostics.ProcessStartInfo("git") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, error);
    }
}
