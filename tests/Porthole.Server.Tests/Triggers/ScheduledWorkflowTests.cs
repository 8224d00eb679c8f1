using System.Net.Http.Json;
using Cronos;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Porthole.Contracts.Api;
using Porthole.Data;
using Porthole.Server.Pipelines;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.Triggers;

/// <summary>
/// Scheduled workflows (§A6 <c>triggers: schedule</c>): a branch's pipeline stores the schedules its config gives, and a
/// scheduler fires each slot once, across restarts and second instances too. The server runs on the real clock; the
/// schedulers under test are the real class on the server's database and trigger, given a clock the test moves
/// (its slots are a new year's first minutes, which the server's own scheduler on the real clock never reaches here).
/// </summary>
public sealed class ScheduledWorkflowTests : IAsyncLifetime
{
    private const string Cron = "0,30 0 1 1 *";

    private const string Config = $$"""
        version: 2.1
        jobs:
          build:
            steps:
              - run: echo "source=<< pipeline.trigger_source >> schedule=<< pipeline.schedule.name >>."
        workflows:
          on-push:
            jobs:
              - build:
                  filters:
                    tags:
                      only: /.*/
          new-year:
            triggers:
              - schedule:
                  cron: "{{Cron}}"
                  filters:
                    branches:
                      only: [main]
            jobs: [build]
        """;

    private static readonly DateTimeOffset BeforeSlot = new(2031, 12, 31, 23, 59, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Slot = new(2032, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly TempFolder _data = new();
    private readonly List<ScheduledTriggers> _schedulers = [];
    private GitRepository _repository = null!;
    private TriggerServer _server = null!;

    public async Task InitializeAsync()
    {
        _repository = GitRepository.WithFiles((".circleci/config.yml", Config));
        _server = await TriggerServer.StartAsync(_data.Path);
        await _server.AddProjectAsync("app", _repository.Path);
    }

    public async Task DisposeAsync()
    {
        await StopSchedulersAsync();
        await _server.DisposeAsync();
        _repository.Dispose();
        _data.Dispose();
    }

    [Fact]
    public async Task A_branch_pipeline_stores_its_schedules_and_pushes_do_not_run_scheduled_workflows()
    {
        var push = await TriggerMainAsync();

        Assert.Equal(["on-push"], push.Workflows.Select(w => w.Name));
        var schedule = Assert.Single(await SchedulesAsync());
        Assert.Equal(("new-year", Cron, "main"), (schedule.Workflow, schedule.Cron, schedule.Branch));
        var expected = CronExpression.Parse(Cron).GetNextOccurrence(TimeProvider.System.GetUtcNow(), TimeZoneInfo.Utc);
        Assert.Equal(expected, schedule.NextRunAt);
        Assert.Null(schedule.LastRunAt);
        Assert.Null(schedule.LastPipelineId);

        // A tag pipeline does not touch the branch's schedules; the branch's next config without triggers removes them.
        _repository.Run("tag", "v1");
        await Expect.StatusAsync(await _server.TriggerAsync("app", new { tag = "v1" }), 201);
        Assert.Single(await SchedulesAsync());
        _repository.Commit("no schedule", (".circleci/config.yml", Config[..Config.IndexOf("  new-year:", StringComparison.Ordinal)]));
        await TriggerMainAsync();
        Assert.Empty(await SchedulesAsync());
    }

    [Fact]
    public async Task Crossing_a_slot_fires_exactly_one_pipeline_of_the_scheduled_workflow_even_with_two_schedulers()
    {
        await TriggerMainAsync();
        var clock = new FakeTimeProvider(BeforeSlot);
        var other = new FakeTimeProvider(BeforeSlot);
        var first = await StartSchedulerAsync(clock);
        var second = await StartSchedulerAsync(other);
        Assert.Single(await _server.PipelinesAsync("app"));

        await AdvanceAsync(first, clock, TimeSpan.FromMinutes(2));
        await AdvanceAsync(second, other, TimeSpan.FromMinutes(2));

        var scheduled = await WaitForPipelinesAsync(2);
        Assert.Equal("schedule", scheduled.TriggerSource);
        Assert.Equal("new-year", scheduled.ScheduleName);
        Assert.Equal("main", scheduled.Branch);
        Assert.Equal(["new-year"], scheduled.Workflows.Select(w => w.Name));
        Assert.Contains("schedule=new-year.", await _server.FirstJobLogAsync(scheduled.Id), StringComparison.Ordinal);

        Assert.Equal(2, (await _server.PipelinesAsync("app")).Count);

        var schedule = Assert.Single(await SchedulesAsync());
        Assert.Equal(scheduled.Id, schedule.LastPipelineId);
        Assert.Equal(scheduled.Number, schedule.LastPipelineNumber);
        Assert.NotNull(schedule.LastRunAt);
        Assert.Null(schedule.LastError);
        await using var db = _server.Db();
        Assert.Equal(Slot, await db.Schedules.Select(s => s.LastSlot).SingleAsync());
    }

    [Fact]
    public async Task A_restart_in_the_same_slot_fires_nothing_more_and_the_next_slot_fires_once()
    {
        await TriggerMainAsync();
        var clock = new FakeTimeProvider(BeforeSlot);
        var scheduler = await StartSchedulerAsync(clock);
        await AdvanceAsync(scheduler, clock, TimeSpan.FromMinutes(2));
        await WaitForPipelinesAsync(2);

        // The server stops and starts again on the same data folder, still within the slot's grace.
        await StopSchedulersAsync();
        await _server.DisposeAsync();
        _server = await TriggerServer.StartAsync(_data.Path);
        var restarted = new FakeTimeProvider(Slot.AddMinutes(3));
        var again = await StartSchedulerAsync(restarted);
        Assert.Equal(2, (await _server.PipelinesAsync("app")).Count);

        // The next slot (00:30) fires, once.
        await AdvanceAsync(again, restarted, TimeSpan.FromMinutes(28));
        var next = await WaitForPipelinesAsync(3);
        Assert.Equal("new-year", next.ScheduleName);
        await using var db = _server.Db();
        Assert.Equal(Slot.AddMinutes(30), await db.Schedules.Select(s => s.LastSlot).SingleAsync());
    }

    [Fact]
    public async Task A_slot_missed_while_down_fires_late_within_the_grace_and_not_after_it()
    {
        await TriggerMainAsync();

        // Started 20 minutes after the slot: too late (§A6: schedules may run up to 15 minutes late).
        var late = await StartSchedulerAsync(new FakeTimeProvider(Slot.AddMinutes(20)));
        await WaitForPassesAsync(late, 1);
        Assert.Single(await _server.PipelinesAsync("app"));
        await StopSchedulersAsync();

        // Started 10 minutes after the slot: fired, late.
        await StartSchedulerAsync(new FakeTimeProvider(Slot.AddMinutes(10)));
        var scheduled = await WaitForPipelinesAsync(2);
        Assert.Equal("new-year", scheduled.ScheduleName);
    }

    [Fact]
    public async Task A_cron_of_six_fields_schedules_nothing_and_breaks_nothing()
    {
        _repository.Commit("seconds", (".circleci/config.yml", Config.Replace(Cron, "* * * * * *", StringComparison.Ordinal)));

        var response = await _server.TriggerAsync("app", new { @ref = "main" });

        // The compiler may refuse it (422, with its place) or plan the other workflows; either way no schedule is kept.
        Assert.Contains((int)response.StatusCode, new[] { 201, 422 });
        if ((int)response.StatusCode == 422)
        {
            var problem = await Expect.ProblemAsync(response, 422, ErrorCodes.ConfigInvalid);
            Assert.True(problem.GetProperty("errors").GetArrayLength() > 0);
        }

        Assert.Empty(await SchedulesAsync());
    }

    private async Task<PipelineView> TriggerMainAsync()
    {
        var response = await _server.TriggerAsync("app", new { @ref = "main" });
        await Expect.StatusAsync(response, 201);
        return (await response.Content.ReadFromJsonAsync<PipelineView>(ApiJson.Options))!;
    }

    private async Task<List<ScheduleView>> SchedulesAsync() =>
        (await _server.Client.GetFromJsonAsync<List<ScheduleView>>("/api/projects/app/schedules", ApiJson.Options))!;

    private async Task<ScheduledTriggers> StartSchedulerAsync(TimeProvider clock)
    {
        var scheduler = new ScheduledTriggers(
            _server.Get<IDbContextFactory<PortholeDb>>(), _server.Get<PipelineTrigger>(), _server.Get<ScheduleStore>(), clock, NullLogger<ScheduledTriggers>.Instance);
        _schedulers.Add(scheduler);
        await scheduler.StartAsync(CancellationToken.None);
        await WaitForPassesAsync(scheduler, 1);
        return scheduler;
    }

    private async Task StopSchedulersAsync()
    {
        foreach (var scheduler in _schedulers)
        {
            await scheduler.StopAsync(CancellationToken.None);
            scheduler.Dispose();
        }

        _schedulers.Clear();
    }

    /// <summary>Moves the clock and waits until the scheduler's timer has fired and its pass has ended.</summary>
    private static async Task AdvanceAsync(ScheduledTriggers scheduler, FakeTimeProvider clock, TimeSpan by)
    {
        var passes = scheduler.CompletedPasses;
        clock.Advance(by);
        await WaitForPassesAsync(scheduler, passes + 1);
    }

    private static async Task WaitForPassesAsync(ScheduledTriggers scheduler, long passes)
    {
        for (var i = 0; i < 600 && scheduler.CompletedPasses < passes; i++)
        {
            await Task.Delay(20);
        }

        Assert.True(scheduler.CompletedPasses >= passes, $"the scheduler made {scheduler.CompletedPasses} passes, not {passes}");
    }

    /// <summary>Waits until the project has <paramref name="count"/> pipelines and returns the newest.</summary>
    private async Task<PipelineView> WaitForPipelinesAsync(int count)
    {
        List<PipelineView> pipelines = [];
        for (var i = 0; i < 300; i++)
        {
            pipelines = await _server.PipelinesAsync("app");
            if (pipelines.Count >= count)
            {
                Assert.Equal(count, pipelines.Count);
                return pipelines[0];
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"{pipelines.Count} pipelines, not {count}");
    }
}
