using System.CommandLine;
using Porthole.Cli.Client;
using Porthole.Cli.Output;
using Porthole.Contracts.Api;

namespace Porthole.Cli.Commands;

/// <summary><c>porthole schedules PROJECT</c>: the project's scheduled workflows (CircleCI's <c>triggers: schedule</c>) with their next and last runs.</summary>
internal static class SchedulesCommand
{
    public static Command Create(CliContext context)
    {
        var project = CommonOptions.Project();
        var json = CommonOptions.Json();
        var command = new Command("schedules", "List a project's scheduled workflows, by branch, with their next and last runs (UTC)") { project, json };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var name = parseResult.GetRequiredValue(project);
            using var client = PortholeClient.FromLogin(context);
            var answer = await client.GetAsync(PortholeClient.Path("projects", name, "schedules"), cancellationToken);
            if (parseResult.GetValue(json))
            {
                await CommonOptions.WriteJsonAsync(context, answer, cancellationToken);
                return ExitCodes.Success;
            }

            var schedules = client.Read<List<ScheduleView>>(answer);
            if (schedules.Count == 0)
            {
                await context.Output.WriteLineAsync(
                    $"no scheduled workflows in project {name}: a workflow with 'triggers: - schedule: {{cron, filters: {{branches}}}}' is scheduled once its branch's pipeline has run");
                return ExitCodes.Success;
            }

            var table = new Table("BRANCH", "WORKFLOW", "CRON", "NEXT RUN", "LAST RUN", "LAST PIPELINE");
            foreach (var s in schedules)
            {
                var last = s.LastPipelineId is { } id
                    ? $"pipeline {id}" + (s.LastPipelineNumber is { } number ? $" (#{number})" : "")
                    : s.LastError is { } error ? $"none: {OneLine.Of(error)}" : "-";
                table.Add(OneLine.Of(s.Branch), OneLine.Of(s.Workflow), s.Cron, Format.Time(s.NextRunAt), Format.Time(s.LastRunAt), last);
            }

            table.WriteTo(context.Output);
            return ExitCodes.Success;
        });
        return command;
    }
}
