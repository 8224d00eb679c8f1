using Porthole.Contracts.Plans;
using Porthole.Contracts.Runners;
using Porthole.Ssh.Debugging;

namespace Porthole.Ssh.Tests.Debugging;

/// <summary>The plan's steps as a debug session's functions (R-DBG-4).</summary>
public sealed class DebugStepsTests
{
    [Fact]
    public void Each_step_gets_a_function_by_its_name_and_a_travis_phase_its_travis_run_function()
    {
        StepPlan[] plan =
        [
            new(StepKind.Checkout, "checkout", null, string.Empty, [], null, false, StepCondition.OnSuccess, null),
            new(StepKind.Run, "Run Tests!", "make test\n", "/bin/sh -c 'x y'", [new EnvironmentVariable("A", "1")], "src", false, StepCondition.OnSuccess, null),
            new(StepKind.Run, "run tests", "echo again", string.Empty, [], null, false, StepCondition.OnSuccess, null),
            new(StepKind.Run, "step", "echo step", string.Empty, [], null, false, StepCondition.OnSuccess, null),
            new(StepKind.Run, "script", "#!/bin/bash\n\n  ./test.sh  \n", "/bin/bash", [], null, false, StepCondition.OnSuccess, null, true, "script"),
        ];

        var assignment = Assignment(plan);
        var steps = DebugSteps.For(assignment, assignment.RepositoryUrl, name => "/n/ssh/steps/" + name, "/bin/bash", d => d is null ? "/w" : "/w/" + d);

        Assert.Equal(
            [
                ["porthole_run_checkout"],
                ["porthole_run_run_tests_"],
                ["porthole_run_run_tests"],
                ["porthole_run_step_3"],
                ["porthole_run_script", "travis_run_script"],
            ],
            steps.Select(s => s.Functions.ToArray()).ToArray());
        Assert.Equal(["/bin/sh", "-c", "x y", "/n/ssh/steps/step-001.sh"], steps[1].Arguments);
        Assert.Equal(["/bin/bash", "-eo", "pipefail", "/n/ssh/steps/step-002.sh"], steps[2].Arguments);
        Assert.Equal(("/w/src", "make test\n", "1"), (steps[1].Directory, steps[1].Script, steps[1].Environment["A"]));
        Assert.Equal("echo again\n", steps[2].Script);
        Assert.Equal("./test.sh", steps[4].Summary);
        Assert.Contains("git fetch --force --tags origin", steps[0].Script, StringComparison.Ordinal);
        Assert.Contains("'checkout' '--force' '-B' 'main'", steps[0].Script, StringComparison.Ordinal);
        Assert.Equal("0", steps[0].Environment["GIT_TERMINAL_PROMPT"]);
    }

    [Fact]
    public void A_typed_step_is_the_runners_to_run_through_request_files_and_porthole_steps_says_what_it_names()
    {
        StepPlan Typed(StepKind kind, string name) => new(kind, name, null, string.Empty, [], null, false, StepCondition.OnSuccess, null);
        StepPlan[] plan =
        [
            Typed(StepKind.SaveCache, "Saving Cache") with { SaveCache = new SaveCachePlan("deps-{{ .Branch }}-{{ checksum \"package-lock.json\" }}", ["node_modules"]) },
            Typed(StepKind.RestoreCache, "Restoring Cache") with { RestoreCache = new RestoreCachePlan(["deps-{{ .Branch }}-", "deps-"]) },
            Typed(StepKind.PersistToWorkspace, "Persisting to Workspace") with { PersistToWorkspace = new PersistToWorkspacePlan(".", ["dist", "out/*.txt"]) },
            Typed(StepKind.AttachWorkspace, "Attaching Workspace") with { AttachWorkspace = new AttachWorkspacePlan("~/ws") },
            Typed(StepKind.StoreArtifacts, "Uploading artifacts") with { StoreArtifacts = new StoreArtifactsPlan("dist", "built") },
            Typed(StepKind.StoreArtifacts, "Uploading artifacts") with { StoreArtifacts = new StoreArtifactsPlan("out/a.txt", null) },
            Typed(StepKind.SaveCache, "Uploading the cache") with { SaveCache = new SaveCachePlan(new string('k', 100), ["p"]) },
            new(StepKind.Run, "before_cache", "rm -f cache.lock", "/bin/bash", [], null, false, StepCondition.Always, null, false, "before_cache"),
            new(StepKind.Run, "plain", "echo plain", string.Empty, [], null, false, StepCondition.OnSuccess, null),
        ];

        var assignment = Assignment(plan);
        var steps = DebugSteps.For(
            assignment,
            assignment.RepositoryUrl,
            name => "/n/ssh/steps/" + name,
            "/bin/bash",
            d => d is null ? "/w" : "/w/" + d,
            name => "/n/ssh/tmux/" + name,
            shell => shell.Replace("/bin/bash", "/bin/sh", StringComparison.Ordinal));

        Assert.Equal(
            [
                "save_cache deps-{{ .Branch }}-{{ checksum \"package-lock.json\" }}",
                "restore_cache deps-{{ .Branch }}-, deps-",
                "persist_to_workspace .: dist, out/*.txt",
                "attach_workspace ~/ws",
                "store_artifacts dist as built",
                "store_artifacts out/a.txt",
                "save_cache " + new string('k', 66) + "...",
            ],
            steps.Take(7).Select(s => s.Summary));
        Assert.Equal(
            new DebugRequestFiles("/n/ssh/tmux/step-000.request", "/n/ssh/steps/step-000.reply", "/n/ssh/steps/step-000.out"),
            steps[0].Request);
        Assert.All(steps.Take(7), s => Assert.Equal((string.Empty, 0), (s.Script, s.Arguments.Count)));

        // Travis's before_cache phase has its function (§B12), as the other phases do.
        Assert.Equal(["porthole_run_before_cache", "travis_run_before_cache"], steps[7].Functions);
        Assert.Null(steps[7].Request);

        // A run step runs with the node's shell line for it: an image without bash gets sh.
        Assert.Equal(["/bin/sh", "-eo", "pipefail", "/n/ssh/steps/step-008.sh"], steps[8].Arguments);
        Assert.Null(steps[8].Request);
    }

    private static NodeAssignment Assignment(IReadOnlyList<StepPlan> steps) =>
        new(1, 2, 1, 1, 3, "wf", 4, 5, "acme/widget", "https://example.test/acme/widget.git", "0123456789abcdef0123456789abcdef01234567", "main",
            0, 1, ConfigDialect.CircleCi, new JobPlan("build", [], 1, new ExecutorSpec(ExecutorKind.Shell, null), null, [], steps), [], TimeSpan.FromHours(1), 1024);
}
