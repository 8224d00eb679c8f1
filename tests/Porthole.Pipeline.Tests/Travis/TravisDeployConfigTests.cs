using static Porthole.Pipeline.Tests.Support.Configs;

namespace Porthole.Pipeline.Tests.Travis;

/// <summary>
/// How <c>deploy:</c> is checked where it is written (dialects.md §B12 "deploy"): bad shapes are errors at their node,
/// what Porthole does not run is a warning (the config still plans), and the corpus's deploys plan.
/// </summary>
public sealed class TravisDeployConfigTests
{
    [Theory]
    [InlineData("deploy: script", 4, 9, "deploy must be a map")]
    [InlineData("deploy: [script]", 4, 10, "a deploy provider must be a map")]
    [InlineData("deploy: {script: x}", 4, 9, "a deploy provider needs provider:")]
    [InlineData("deploy: {provider: script}", 4, 9, "the script provider needs script:")]
    [InlineData("deploy: {provider: [script]}", 4, 20, "deploy.provider must be a string")]
    [InlineData("deploy: {provider: script, script: x, on: [master]}", 4, 43, "deploy.on must be a map")]
    [InlineData("deploy: {provider: script, script: x, on: {tags: maybe}}", 4, 50, "deploy.on.tags must be true or false")]
    [InlineData("deploy: {provider: script, script: x, on: {branch: []}}", 4, 52, "names no branch")]
    [InlineData("deploy: {provider: script, script: x, on: {node_js: [10, 12]}}", 4, 53, "deploy.on.node_js (the version that deploys) must be a string")]
    [InlineData("deploy: {provider: script, script: x, on: {condition: {a: b}}}", 4, 55, "deploy.on.condition must be a string")]
    [InlineData("deploy: {provider: script, script: x, allow_failure: 2}", 4, 54, "deploy.allow_failure must be true or false")]
    [InlineData("deploy: {provider: script, script: {a: b}}", 4, 36, "deploy.script must be a command")]
    [InlineData("before_deploy: {a: b}", 4, 16, "before_deploy must be a command")]
    public void Bad_deploy_settings_are_errors_at_the_node(string yaml, int line, int column, string message)
    {
        var result = ReadTravis("language: shell", "script: x", "# deploy", yaml);

        ErrorAt(result, line, column, message);
    }

    [Fact]
    public void Deploy_if_is_refused_by_name_and_unknown_on_keys_and_script_settings_are_warnings()
    {
        var refused = ReadTravis("language: shell", "script: x", "deploy: {provider: script, script: x, if: branch = main}");
        var error = ErrorAt(refused, 3, 39, "deploy if: is not supported");
        Assert.Equal("deploy.if", error.Feature);

        var warned = ReadTravis("language: shell", "script: x", "deploy: {provider: script, script: x, api_key: k, on: {dotnet: 8}}");
        Assert.True(warned.IsValid);
        Assert.Contains(warned.Warnings, w => w.Message.Contains("'api_key' is not a setting of the script provider", StringComparison.Ordinal));
        Assert.Contains(warned.Warnings, w => w.Message.Contains("deploy.on.dotnet is not a condition Travis knows", StringComparison.Ordinal));
    }

    /// <summary>§B0: before_deploy and after_deploy run around a deployment only; a job without deploy never runs them.</summary>
    [Fact]
    public void Deploy_hooks_without_a_deploy_are_warnings_and_plan_no_step()
    {
        var result = ReadTravis("language: shell", "script: x", "before_deploy: make dist", "after_deploy: echo done");

        var job = OnlyJob(result);
        Assert.DoesNotContain(job.Steps, step => step.Name.Contains("deploy", StringComparison.Ordinal));
        Assert.Equal(
            [(3, 1, "before_deploy runs only around a deployment, and this job has no deploy: it never runs"),
             (4, 1, "after_deploy runs only around a deployment, and this job has no deploy: it never runs")],
            result.Warnings.Select(w => (w.Line, w.Column, w.Message)));
        Assert.Empty(ReadTravis("language: shell", "script: x", "before_deploy: make dist", "deploy: {provider: script, script: x}").Warnings);
    }

    [Fact]
    public void Deploy_in_an_include_entry_is_checked_there_and_deploys_only_that_job()
    {
        var result = ReadTravis(
            "language: shell",
            "script: x",
            "jobs:",
            "  include:",
            "    - name: build",
            "    - name: ship",
            "      deploy: {provider: script, script: echo DEPLOYED}",
            "    - name: bad",
            "      deploy: {provider: script}");

        ErrorAt(result, 9, 15, "the script provider needs script:");

        var valid = Planned(ReadTravis("language: shell", "script: x", "jobs:", "  include:", "    - name: build", "    - name: ship", "      deploy: {provider: script, script: echo DEPLOYED}"));
        var jobs = valid.Workflows.SelectMany(workflow => workflow.Jobs).ToList();
        Assert.Equal([0, 1], jobs.Select(job => job.Steps.Count(step => step.Phase == "deploy")));
    }

    [Theory]
    [InlineData("travis/alacritty__alacritty.yml", "releases", 26)]
    [InlineData("travis/koalaman__shellcheck.yml", "gcs", 49)]
    public void Corpus_deploys_are_read_without_errors_and_planned_not_run(string file, string provider, int line)
    {
        var result = CorpusTests.Read(file);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Contains(result.Warnings, w => w.Line == line && w.Message.Contains($"Porthole does not run the {provider} provider", StringComparison.Ordinal));
        var jobs = result.Plan!.Workflows.SelectMany(workflow => workflow.Jobs).ToList();
        Assert.All(jobs, job => Assert.Equal($"deploy ({provider}, not run)", Assert.Single(job.Steps, step => step.Phase == "deploy").Name));
    }
}
