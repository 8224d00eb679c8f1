using Porthole.Contracts.Plans;
using static Porthole.Pipeline.Tests.Support.Configs;

namespace Porthole.Pipeline.Tests.CircleCi;

/// <summary><c>type: approval</c> workflow jobs (dialects.md §A6, "Hold a workflow for a manual approval").</summary>
public sealed class CircleCiApprovalTests
{
    private static readonly string[] Jobs =
    [
        "version: 2",
        "jobs:",
        "  build: {docker: [{image: alpine}], steps: [checkout]}",
        "  deploy: {docker: [{image: alpine}], steps: [checkout], parallelism: 3}",
    ];

    [Fact]
    public void An_approval_job_needs_no_definition_and_is_planned_without_steps()
    {
        var plan = Planned(ReadCircle([
            .. Jobs, "workflows:", "  w:", "    jobs:",
            "      - build",
            "      - hold: {type: approval, requires: [build]}",
            "      - deploy: {requires: [hold]}",
        ]));

        var jobs = plan.Workflows.Single().Jobs;
        Assert.Equal(["build", "hold", "deploy"], jobs.Select(job => job.Name));
        var hold = jobs[1];
        Assert.Equal(JobType.Approval, hold.Type);
        Assert.Empty(hold.Steps);
        Assert.Equal(1, hold.Parallelism);
        Assert.Equal(new ExecutorSpec(ExecutorKind.Shell, null), hold.Executor);
        Assert.Null(hold.WorkingDirectory);
        Assert.Empty(hold.Environment);
        Assert.Equal(["build"], hold.Requires);
        Assert.Equal((JobType.Build, 3), (jobs[2].Type, jobs[2].Parallelism));
        Assert.Equal(["hold"], jobs[2].Requires);
        Assert.Equal(JobType.Build, jobs[0].Type);
    }

    [Fact]
    public void An_approval_job_may_be_renamed_and_carry_contexts()
    {
        var plan = Planned(ReadCircle([.. Jobs, "workflows:", "  w:", "    jobs:", "      - hold: {type: approval, name: wait-for-ops, context: ops}", "      - deploy: {requires: [wait-for-ops]}"]));

        var hold = plan.Workflows.Single().Jobs[0];
        Assert.Equal(("wait-for-ops", JobType.Approval), (hold.Name, hold.Type));
        Assert.Equal(["ops"], hold.Contexts);
    }

    [Fact]
    public void An_approval_job_named_like_a_job_under_jobs_is_an_error()
    {
        // §A6: "The name is arbitrary and must not be a job in jobs:".
        var result = ReadCircle([.. Jobs, "workflows:", "  w:", "    jobs:", "      - deploy: {type: approval}"]);

        OnlyError(result, 8, 9, "approval job 'deploy' has the name of a job under jobs");
    }

    [Fact]
    public void Another_type_is_an_error_since_approval_is_the_only_one_a_workflow_may_set()
    {
        var result = ReadCircle([.. Jobs, "workflows:", "  w:", "    jobs:", "      - build: {type: build}"]);

        OnlyError(result, 8, 23, "unknown job type 'build'; the only type a workflow job may have is approval");
    }

    [Fact]
    public void Requires_on_an_approval_job_is_checked_like_any_other_and_cycles_through_it_are_caught()
    {
        var result = ReadCircle([
            .. Jobs, "workflows:", "  w:", "    jobs:",
            "      - hold: {type: approval, requires: [deploy]}",
            "      - deploy: {requires: [hold]}",
        ]);

        ErrorAt(result, 9, 29, "requires cycle in workflow 'w': hold → deploy → hold");
    }

    [Fact]
    public void An_approval_job_is_filtered_like_any_other_and_its_dependents_go_with_it()
    {
        var result = CircleCiFilterTests.Read(CircleCiFilterTests.Branch("dev"), [
            .. Jobs, "workflows:", "  w:", "    jobs:",
            "      - build",
            "      - hold: {type: approval, requires: [build], filters: {branches: {only: main}}}",
            "      - deploy: {requires: [hold]}",
        ]);

        Assert.Equal(["build"], Planned(result).Workflows.Single().Jobs.Select(job => job.Name));
    }

    [Fact]
    public void A_2_1_approval_job_compiles_to_the_same_plan()
    {
        var plan = Planned(ReadCircle([
            "version: 2.1",
            "jobs:",
            "  build: {docker: [{image: alpine}], steps: [checkout]}",
            "workflows:",
            "  w:",
            "    jobs:",
            "      - hold: {type: approval}",
            "      - build: {requires: [hold]}",
        ]));

        var jobs = plan.Workflows.Single().Jobs;
        Assert.Equal([("hold", JobType.Approval), ("build", JobType.Build)], jobs.Select(job => (job.Name, job.Type)));
        Assert.Equal(["hold"], jobs[1].Requires);
    }
}
