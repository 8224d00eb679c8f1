using Porthole.Contracts.Plans;
using static Porthole.Pipeline.Tests.Support.Configs;

namespace Porthole.Pipeline.Tests.CircleCi;

/// <summary><c>persist_to_workspace</c> and <c>attach_workspace</c> (dialects.md §A5).</summary>
public sealed class CircleCiWorkspaceStepTests
{
    /// <summary>A job whose steps start on line 6.</summary>
    private static ConfigResult ReadSteps(params string[] steps) =>
        ReadCircle(["version: 2", "jobs:", "  build:", "    docker: [{image: cimg/base:2024.06}]", "    steps:", .. steps]);

    private static int Column(string line, string text) => line.IndexOf(text, StringComparison.Ordinal) + 1;

    [Fact]
    public void Persist_to_workspace_is_a_typed_step_with_its_root_and_paths()
    {
        // The corpus's own example (§A5): root . with a glob.
        var step = Assert.Single(OnlyJob(ReadSteps(
            "      - persist_to_workspace:",
            "          root: .",
            "          paths:",
            "            - cov_*.part",
            "            - dist")).Steps);

        Assert.Equivalent(
            new StepPlan(StepKind.PersistToWorkspace, "Persisting to Workspace", null, "/bin/bash -eo pipefail", [], null, false, StepCondition.OnSuccess, null)
            {
                PersistToWorkspace = new PersistToWorkspacePlan(".", ["cov_*.part", "dist"]),
            },
            step,
            strict: true);
    }

    [Fact]
    public void Attach_workspace_is_a_typed_step_with_its_folder()
    {
        var step = Assert.Single(OnlyJob(ReadSteps("      - attach_workspace: {at: /tmp/workspace}")).Steps);

        Assert.Equivalent(
            new StepPlan(StepKind.AttachWorkspace, "Attaching Workspace", null, "/bin/bash -eo pipefail", [], null, false, StepCondition.OnSuccess, null)
            {
                AttachWorkspace = new AttachWorkspacePlan("/tmp/workspace"),
            },
            step,
            strict: true);
    }

    [Fact]
    public void Both_take_a_name()
    {
        var steps = OnlyJob(ReadSteps(
            "      - attach_workspace: {at: ~/ws, name: Get the build}",
            "      - persist_to_workspace: {root: ~/ws, paths: [bin], name: Keep the binaries}")).Steps;

        Assert.Equal(["Get the build", "Keep the binaries"], steps.Select(step => step.Name));
    }

    [Theory]
    [InlineData("      - persist_to_workspace: {paths: [a]}", "persist_to_workspace needs root")]
    [InlineData("      - persist_to_workspace: {root: .}", "persist_to_workspace needs paths")]
    [InlineData("      - persist_to_workspace", "persist_to_workspace needs root and paths")]
    [InlineData("      - attach_workspace: {name: x}", "attach_workspace needs at")]
    [InlineData("      - attach_workspace", "attach_workspace needs at")]
    public void A_missing_key_is_an_error_at_the_step(string step, string message)
    {
        OnlyError(ReadSteps(step), 6, 9, message);
    }

    [Theory]
    [InlineData("      - persist_to_workspace: {root: ., paths: dist}", "dist", "paths must be a list, found a string")]
    [InlineData("      - persist_to_workspace: {root: ., paths: [a], at: b}", "at:", "unknown persist_to_workspace key 'at'; it takes root, paths and name")]
    [InlineData("      - attach_workspace: {at: x, path: y}", "path", "unknown attach_workspace key 'path'; it takes at and name")]
    [InlineData("      - attach_workspace: /tmp/ws", "/tmp/ws", "attach_workspace must be a map of at and name, found a string")]
    [InlineData("      - attach_workspace: {at: ''}", "''", "at is empty")]
    public void Shape_errors_point_at_their_cause(string step, string at, string message)
    {
        OnlyError(ReadSteps(step), 6, Column(step, at), message);
    }

    [Theory]
    [InlineData(".", ".", "is the root '.' itself")]
    [InlineData(".", "./", "is the root '.' itself")]
    [InlineData("/tmp/ws", "build/..", "is the root '/tmp/ws' itself")]
    [InlineData("/tmp/ws", "/tmp/ws/", "is the root '/tmp/ws' itself")]
    [InlineData(".", "../sibling", "leaves the root with '..'")]
    [InlineData("~/project", "a/../../b", "leaves the root with '..'")]
    [InlineData("/tmp/ws", "/etc/passwd", "is not under root '/tmp/ws'")]
    [InlineData("/tmp/ws", "/tmp/wsx/a", "is not under root '/tmp/ws'")]
    [InlineData("/tmp/ws", "/tmp/ws/../etc", "is not under root '/tmp/ws'")]
    public void A_path_that_is_not_under_the_root_or_is_the_root_is_an_error_at_the_path(string root, string path, string message)
    {
        // §A5: paths are relative to root, "never root itself".
        var line = $"            - '{path}'";
        var result = ReadSteps("      - persist_to_workspace:", $"          root: {root}", "          paths:", "            - bin", line);

        OnlyError(result, 10, Column(line, "'"), $"persist_to_workspace path '{path}' {message}");
    }

    [Theory]
    [InlineData("/tmp/ws", "/tmp/ws/dist")]
    [InlineData("/tmp/ws", "dist/../bin")]
    [InlineData("/", "/tmp/anything")]
    [InlineData(".", "/home/circleci/project/dist")]
    [InlineData("~/project", "*")]
    [InlineData("workspace", "coverage/*.json")]
    public void Paths_under_the_root_are_planned_as_written(string root, string path)
    {
        // Under a relative root only the node knows where an absolute path falls.
        var step = Assert.Single(OnlyJob(ReadSteps($"      - persist_to_workspace: {{root: '{root}', paths: ['{path}']}}")).Steps);

        Assert.Equal(root, step.PersistToWorkspace!.Root);
        Assert.Equal([path], step.PersistToWorkspace.Paths);
    }
}
