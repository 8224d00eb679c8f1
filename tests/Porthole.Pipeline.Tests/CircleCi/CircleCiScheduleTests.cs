using Porthole.Contracts.Plans;
using static Porthole.Pipeline.Tests.Support.Configs;

namespace Porthole.Pipeline.Tests.CircleCi;

/// <summary>Scheduled workflows, <c>triggers: schedule</c> (dialects.md §A6), and which workflows each trigger runs.</summary>
public sealed class CircleCiScheduleTests
{
    private static readonly string[] Config =
    [
        "version: 2",
        "jobs:",
        "  build: {docker: [{image: alpine}], steps: [checkout]}",
        "  nightly: {docker: [{image: alpine}], steps: [checkout]}",
        "workflows:",
        "  commit:",
        "    jobs: [build]",
        "  nightly:",
        "    triggers:",
        "      - schedule:",
        "          cron: \"0 3 * * *\"",
        "          filters:",
        "            branches:",
        "              only: [main, /release-.*/]",
        "    jobs: [nightly]",
    ];

    [Fact]
    public void A_schedule_is_collected_and_validate_shows_every_workflow()
    {
        var result = ReadCircle(Config);

        Assert.Equal(["commit", "nightly"], Planned(result).Workflows.Select(workflow => workflow.Name));
        Assert.Equal([new ScheduleTrigger("nightly", "0 3 * * *")], result.Schedules);
    }

    [Theory]
    [InlineData("main", true)]
    [InlineData("release-2", true)]
    [InlineData("dev", false)]
    public void A_schedule_is_collected_only_for_a_branch_its_filter_admits(string branch, bool scheduled)
    {
        var result = Read(new PipelineValues { Branch = branch, TriggerSource = TriggerSources.Webhook }, Config);

        Assert.Equal(scheduled ? [new ScheduleTrigger("nightly", "0 3 * * *")] : [], result.Schedules);
    }

    [Theory]
    [InlineData(TriggerSources.Webhook)]
    [InlineData(TriggerSources.Api)]
    public void A_push_or_api_trigger_runs_only_the_workflows_without_triggers(string source)
    {
        // §A6: "A workflow with triggers runs only on its schedule, never on pushes."
        var result = Read(new PipelineValues { Branch = "main", TriggerSource = source }, Config);

        Assert.Equal(["commit"], Planned(result).Workflows.Select(workflow => workflow.Name));
    }

    [Fact]
    public void A_scheduled_trigger_runs_only_the_workflow_whose_schedule_fired()
    {
        var result = Read(new PipelineValues { Branch = "main", TriggerSource = TriggerSources.Schedule, ScheduleName = "nightly" }, Config);

        var workflow = Assert.Single(Planned(result).Workflows);
        Assert.Equal(("nightly", "nightly"), (workflow.Name, workflow.Jobs.Single().Name));
    }

    [Fact]
    public void A_scheduled_trigger_for_a_workflow_that_has_no_schedule_runs_nothing_and_says_so()
    {
        var result = Read(new PipelineValues { Branch = "main", TriggerSource = TriggerSources.Schedule, ScheduleName = "commit" }, Config);

        OnlyError(result, 5, 1, "no workflow runs for the schedule of workflow 'commit': no workflow of that name has triggers");
    }

    [Fact]
    public void A_push_to_a_config_whose_only_workflow_is_scheduled_runs_nothing_and_says_why()
    {
        var result = Read(new PipelineValues { Branch = "main", TriggerSource = TriggerSources.Webhook }, [.. Config[..5], .. Config[7..]]);

        var error = OnlyError(result, 5, 1, "no workflow runs for branch 'main'");
        Assert.Contains("a workflow with triggers runs only on its schedule, never on pushes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cron_with_six_fields_is_an_error_at_the_cron()
    {
        var result = ReadCircle(WithCron("\"0 0 3 * * *\""));

        OnlyError(result, 11, 17, "a cron has five fields (minute hour day month weekday), found six");
    }

    [Theory]
    [InlineData("\"61 3 * * *\"", "is not a valid cron")]
    [InlineData("\"@daily\"", "found one")]
    [InlineData("\"0 3 * *\"", "found four")]
    [InlineData("[0, 3]", "cron must be a string, found a list")]
    public void A_cron_that_is_not_a_standard_five_field_one_is_an_error(string cron, string message)
    {
        OnlyError(ReadCircle(WithCron(cron)), 11, 17, message);
    }

    [Fact]
    public void A_schedule_without_a_branches_filter_is_an_error()
    {
        // §A6: "a branches filter is required".
        var withoutFilters = ReadCircle([.. Config[..12].Where((_, i) => i != 11), "    jobs: [nightly]"]);
        OnlyError(withoutFilters, 10, 9, "a schedule needs filters: {branches: {only: …}}");

        var withTagsOnly = ReadCircle([.. Config[..12], "            tags: {only: /v.*/}", "    jobs: [nightly]"]);
        ErrorAt(withTagsOnly, 13, 13, "a schedule filters branches only");
        ErrorAt(withTagsOnly, 12, 11, "a schedule needs a branches filter");
    }

    [Theory]
    [InlineData("    triggers: []", 9, 15, "triggers is an empty list")]
    [InlineData("    triggers: [{schedule: {cron: '0 3 * * *', filters: {branches: {only: main}}, timezone: x}}]", 9, 82, "unknown schedule key 'timezone'")]
    [InlineData("    triggers: [{webhook: {}}]", 9, 16, "a trigger needs a schedule")]
    [InlineData("    triggers: {schedule: {}}", 9, 15, "triggers must be a list")]
    public void Malformed_triggers_are_errors_at_their_place(string triggers, int line, int column, string message)
    {
        var result = ReadCircle([.. Config[..8], triggers, "    jobs: [nightly]"]);

        ErrorAt(result, line, column, message);
    }

    [Fact]
    public void A_2_1_config_schedules_a_workflow_as_a_2_0_one_does()
    {
        var result = Read(new PipelineValues { Branch = "main", TriggerSource = TriggerSources.Schedule, ScheduleName = "nightly" }, ["version: 2.1", .. Config[1..]]);

        Assert.Equal(["nightly"], Planned(result).Workflows.Select(workflow => workflow.Name));
        Assert.Equal([new ScheduleTrigger("nightly", "0 3 * * *")], result.Schedules);
    }

    private static string[] WithCron(string cron) => [.. Config[..10], $"          cron: {cron}", .. Config[11..]];

    private static ConfigResult Read(PipelineValues values, string[] lines) => CircleCiFilterTests.Read(values, lines);
}
