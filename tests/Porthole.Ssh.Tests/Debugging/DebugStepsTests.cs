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

    private static NodeAssignment Assignment(IReadOnlyList<StepPlan> steps) =>
        new(1, 2, 1, 1, 3, "wf", 4, 5, "acme/widget", "https://example.test/acme/widget.git", "0123456789abcdef0123456789abcdef01234567", "main",
            0, 1, ConfigDialect.CircleCi, new JobPlan("build", [], 1, new ExecutorSpec(ExecutorKind.Shell, null), null, [], steps), [], TimeSpan.FromHours(1), 1024);
}
