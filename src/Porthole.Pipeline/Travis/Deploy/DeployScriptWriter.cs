using System.Text;

namespace Porthole.Pipeline.Travis.Deploy;

/// <summary>
/// The bash script of one provider's deploy step, run after after_success in the job's one shell session (it loads the
/// state the phases saved, as every phase script does, and saves it again). As travis-build does (TB
/// <c>addons/deploy/script.rb#deploy</c>, <c>#run</c>): nothing for a pull request; then the <c>on:</c> conditions, and
/// when one fails, Travis's "Skipping a deployment with the … provider because …" line for each that failed; when they
/// all hold, <c>before_deploy</c> (its first failure stops the job), the provider, then <c>after_deploy</c> (failures
/// ignored), with <c>set -e</c> off. A provider other than <c>script</c> is not run: the step says so and what to use.
/// </summary>
internal static class DeployScriptWriter
{
    private const string Yellow = "\\033[33;1m";

    private static readonly TravisPhase BeforeDeploy = new("before_deploy", PhaseMode.StopAtFirstFailure, Contracts.Plans.StepCondition.OnSuccess, true);

    private static readonly TravisPhase AfterDeploy = new("after_deploy", PhaseMode.RunEvery, Contracts.Plans.StepCondition.OnSuccess, false);

    public static string Write(DeployProvider provider, IReadOnlyList<string> beforeDeploy, IReadOnlyList<string> afterDeploy, IReadOnlyList<EnvWord> environment)
    {
        var script = new StringBuilder();
        WriteHeader(script, provider, beforeDeploy, afterDeploy);
        script.Append("__porthole_phase='deploy'\n");
        script.Append(ShellPrelude.Text).Append('\n');
        PhaseScriptWriter.WriteEnvironment(script, environment);

        // TB script.rb#run: with_errexit_off; a `set -e` an earlier phase left on is turned back on at the end.
        script.Append("__porthole_deploy_errexit=\ncase $- in *e*) __porthole_deploy_errexit=1; set +e ;; esac\n");
        script.Append("if [ \"${TRAVIS_PULL_REQUEST:-false}\" != false ]; then\n");
        Skip(script, provider, "the current build is a pull request.");
        script.Append("else\n__porthole_deploy=0\n");
        WriteConditions(script, provider);
        script.Append("if [ \"$__porthole_deploy\" -eq 0 ]; then\n");
        if (provider.Runs)
        {
            WriteDeployment(script, provider, beforeDeploy, afterDeploy);
        }
        else
        {
            WriteNotRun(script, provider);
        }

        script.Append("fi\nfi\n");
        script.Append("if [ -n \"$__porthole_deploy_errexit\" ]; then set -e; fi\n");
        script.Append("exit 0\n");
        return script.ToString();
    }

    /// <summary>What the step does and its commands, in the lines <see cref="PhaseHeader.ReadCommands"/> reads for the plan.</summary>
    private static void WriteHeader(StringBuilder script, DeployProvider provider, IReadOnlyList<string> beforeDeploy, IReadOnlyList<string> afterDeploy)
    {
        if (!provider.Runs)
        {
            script.Append("# Travis deploy with the ").Append(Comment(provider.Name))
                .Append(" provider, which Porthole does not run: the step checks the conditions and says that the deployment was not made.\n");
        }
        else
        {
            script.Append("# Travis deploy with the script provider: before_deploy (the first failure stops the job), the script")
                .Append(provider.AllowFailure ? " (allow_failure: its failure is ignored)" : " (its failure stops the job)")
                .Append(", then after_deploy (failures ignored).\n");
            foreach (var command in beforeDeploy.Concat(provider.Script).Concat(afterDeploy))
            {
                var lines = command.TrimEnd('\n').Split('\n');
                script.Append("#   $ ").Append(lines[0].TrimEnd('\r')).Append(lines.Length > 1 ? " …\n" : "\n");
            }
        }

        script.Append("# It deploys when: ").Append(Comment(Describe(provider.On))).Append(".\n");
    }

    private static string Describe(DeployConditions on)
    {
        var parts = new List<string> { "the build is not a pull request" };
        if (on.Repo is { } repo)
        {
            parts.Add($"the repository is {repo}");
        }

        parts.Add(on.Branches is { } branches ? $"the branch is {string.Join(" or ", branches)}" : "any branch");
        parts.AddRange(on.Runtimes.Select(runtime => $"{runtime.Variable} is {runtime.Version}"));
        parts.AddRange(on.Custom.Select(condition => $"[[ {condition} ]]"));
        if (on.Tags is { } tags)
        {
            parts.Add(tags ? "the build is of a tag" : "the build is not of a tag");
        }

        return string.Join("; ", parts);
    }

    /// <summary>A comment's text on one line.</summary>
    private static string Comment(string text) => text.ReplaceLineEndings(" ");

    /// <summary>Each condition in Travis's order; a failed one prints Travis's reason and keeps the deployment from running.</summary>
    private static void WriteConditions(StringBuilder script, DeployProvider provider)
    {
        var on = provider.On;
        if (on.Repo is { } repo)
        {
            Unless(script, provider, $"[[ \"${{TRAVIS_REPO_SLUG:-}}\" == {ShellQuote.Single(repo)} ]]",
                $"this repo's name does not match one specified in .travis.yml's deploy.on.repo: {repo}");
        }

        if (on.Branches is { } branches)
        {
            // A quoted right-hand side compares the name literally (Travis leaves it unquoted, a glob pattern).
            var test = "[[ " + string.Join(" || ", branches.Select(branch => $"\"${{TRAVIS_BRANCH:-}}\" == {ShellQuote.Single(branch)}")) + " ]]";
            script.Append("if ! ").Append(test).Append("; then\n  __porthole_deploy=1\n");
            script.Append("  printf '").Append(Yellow).Append("%s%s\\033[0m\\n' ")
                .Append(ShellQuote.Single($"Skipping a deployment with the {provider.Key} provider because this branch is not permitted: "))
                .Append(" \"${TRAVIS_BRANCH:-}\"\nfi\n");
        }

        if (on.Runtimes.Count > 0)
        {
            var test = "[[ " + string.Join(" && ", on.Runtimes.Select(runtime => $"\"${{{runtime.Variable}:-}}\" == {ShellQuote.Single(runtime.Version)}")) + " ]]";
            Unless(script, provider, test, "this is not on the required runtime");
        }

        if (on.Custom.Count > 0)
        {
            // Each condition is evaluated on its own, so one that is not valid bash fails only itself (and bash says why).
            var test = "{ " + string.Join(" && ", on.Custom.Select(condition => "eval " + ShellQuote.Single($"[[ {condition} ]]"))) + "; }";
            Unless(script, provider, test, "a custom condition was not met");
        }

        switch (on.Tags)
        {
            case true:
                Unless(script, provider, "[[ -n \"${TRAVIS_TAG:-}\" ]]", "this is not a tagged commit");
                break;
            case false:
                // Travis prints "this is not a tagged commit" here too (TB script.rb prints one message for tags: true and false).
                Unless(script, provider, "[[ -z \"${TRAVIS_TAG:-}\" ]]", "this is a tagged commit");
                break;
        }
    }

    private static void Unless(StringBuilder script, DeployProvider provider, string test, string reason)
    {
        script.Append("if ! ").Append(test).Append("; then\n  __porthole_deploy=1\n");
        Skip(script, provider, reason);
        script.Append("fi\n");
    }

    private static void Skip(StringBuilder script, DeployProvider provider, string reason) =>
        script.Append("  printf '").Append(Yellow).Append("%s\\033[0m\\n' ")
            .Append(ShellQuote.Single($"Skipping a deployment with the {provider.Key} provider because {reason}")).Append('\n');

    /// <summary>
    /// before_deploy, the script, after_deploy. The script's commands run in order, each in a subshell of the job's shell
    /// (dpl runs the script in a process of its own, so its <c>exit</c> or <c>cd</c> does not reach the job's shell; here
    /// the shell's functions are still seen); the first failure ends the deployment.
    /// </summary>
    private static void WriteDeployment(StringBuilder script, DeployProvider provider, IReadOnlyList<string> beforeDeploy, IReadOnlyList<string> afterDeploy)
    {
        foreach (var command in beforeDeploy)
        {
            PhaseScriptWriter.WriteCommand(script, BeforeDeploy, command);
        }

        if (provider.Cleanup)
        {
            script.Append("\nprintf '\\033[1m$ %s\\033[0m\\n' 'git stash --all'\ngit stash --all\n");
        }

        script.Append("\n__porthole_deploy_failed=0\n");
        foreach (var command in provider.Script)
        {
            var quoted = ShellQuote.Single(command);
            script.Append("if [ \"$__porthole_deploy_failed\" -eq 0 ]; then\n");
            script.Append("  printf '\\033[1m$ %s\\033[0m\\n' ").Append(quoted).Append('\n');
            script.Append("  ( eval ").Append(quoted).Append(" )\n");
            script.Append("  __porthole_status=$?\n");
            script.Append("  if [ \"$__porthole_status\" -ne 0 ]; then\n");
            script.Append("    __porthole_deploy_failed=$__porthole_status\n");
            script.Append("    printf '\\n\\033[31;1mThe deploy command \"%s\" failed and exited with %s.\\033[0m\\n' ").Append(quoted).Append(" \"$__porthole_status\"\n");
            script.Append("  fi\nfi\n");
        }

        script.Append("if [ \"$__porthole_deploy_failed\" -ne 0 ]; then\n");
        if (provider.AllowFailure)
        {
            script.Append("  printf 'failed to deploy (allow_failure: true, so the job goes on)\\n'\n");
        }
        else
        {
            // TB script.rb#run_command: "failed to deploy", then travis_terminate 2: the job ends, after_deploy does not run.
            script.Append("  printf '\\033[31;1mfailed to deploy\\033[0m\\n'\n  exit \"$__porthole_deploy_failed\"\n");
        }

        script.Append("fi\n");
        foreach (var command in afterDeploy)
        {
            PhaseScriptWriter.WriteCommand(script, AfterDeploy, command);
        }

        // after_deploy's failures do not change the job's result.
        script.Append("__porthole_result=0\n");
    }

    private static void WriteNotRun(StringBuilder script, DeployProvider provider)
    {
        script.Append("  printf '").Append(Yellow).Append("%s\\033[0m\\n' ")
            .Append(ShellQuote.Single($"Porthole does not run the {provider.Name} provider, so this deployment was not made (Travis would deploy here: its conditions hold). before_deploy and after_deploy did not run either."))
            .Append('\n');
        script.Append("  printf '%s\\n' ")
            .Append(ShellQuote.Single("To deploy from Porthole, use provider: script with a script that runs the tool that deploys, for example:"))
            .Append(" '  deploy:' '    provider: script' ")
            .Append(ShellQuote.Single("    script: ./deploy.sh   # runs the tool, with its credentials from the project's variables"))
            .Append('\n');
    }
}
