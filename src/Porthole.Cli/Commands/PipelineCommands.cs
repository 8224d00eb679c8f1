using System.CommandLine;
using System.Globalization;
using Porthole.Cli.Client;
using Porthole.Cli.Output;
using Porthole.Contracts.Api;

namespace Porthole.Cli.Commands;

/// <summary><c>porthole trigger</c>, <c>porthole pipelines</c> and <c>porthole jobs</c>.</summary>
internal static class PipelineCommands
{
    public static IEnumerable<Command> Create(CliContext context)
    {
        yield return Trigger(context);
        yield return List(context);
        yield return Jobs(context);
    }

    private static Command Trigger(CliContext context)
    {
        var project = CommonOptions.Project();
        var gitRef = new Option<string>("--ref") { Description = "A branch or tag; the repository's default branch when neither --ref nor --commit is given" };
        var commit = new Option<string>("--commit") { Description = "A commit hash" };
        var json = CommonOptions.Json();
        var command = new Command("trigger", "Start a pipeline of a project") { project, gitRef, commit, json };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            using var client = PortholeClient.FromLogin(context);
            var request = new TriggerRequest(parseResult.GetValue(gitRef), parseResult.GetValue(commit));
            var path = PortholeClient.Path("projects", parseResult.GetRequiredValue(project), "pipelines");
            var answer = await client.SendAsync(HttpMethod.Post, path, request, cancellationToken);
            if (parseResult.GetValue(json))
            {
                await CommonOptions.WriteJsonAsync(context, answer, cancellationToken);
                return ExitCodes.Success;
            }

            var pipeline = client.Read<PipelineView>(answer);
            var output = context.Output;
            await output.WriteLineAsync($"pipeline {pipeline.Id} (#{pipeline.Number}) {pipeline.Status}");
            var jobs = pipeline.Workflows.SelectMany(w => w.Jobs).ToList();
            foreach (var job in jobs)
            {
                await output.WriteLineAsync($"job {job.Id} {job.Name} {job.Status}");
            }

            if (jobs.Count > 0)
            {
                await output.WriteLineAsync($"follow its log: {context.CommandName} logs {jobs[0].Id} -f");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List(CliContext context)
    {
        var project = CommonOptions.Project();
        var json = CommonOptions.Json();
        var command = new Command("pipelines", "List a project's pipelines, newest first") { project, json };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            using var client = PortholeClient.FromLogin(context);
            var name = parseResult.GetRequiredValue(project);
            var answer = await client.GetAsync(PortholeClient.Path("projects", name, "pipelines"), cancellationToken);
            if (parseResult.GetValue(json))
            {
                await CommonOptions.WriteJsonAsync(context, answer, cancellationToken);
                return ExitCodes.Success;
            }

            var pipelines = client.Read<List<PipelineView>>(answer);
            if (pipelines.Count == 0)
            {
                await context.Output.WriteLineAsync($"no pipelines in project {name} yet: start one with {context.CommandName} trigger {name}");
                return ExitCodes.Success;
            }

            var table = new Table("PIPELINE", "NUMBER", "REF", "COMMIT", "STATUS", "CREATED");
            foreach (var p in pipelines)
            {
                table.Add($"pipeline {p.Id}", $"#{p.Number}", Format.Text(p.Ref), Format.Commit(p.Commit), p.Status, Format.Time(p.CreatedAt));
            }

            table.WriteTo(context.Output);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Jobs(CliContext context)
    {
        var pipelineId = CommonOptions.PipelineId();
        var json = CommonOptions.Json();
        var command = new Command("jobs", "List a pipeline's workflows and jobs") { pipelineId, json };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            using var client = PortholeClient.FromLogin(context);
            var answer = await client.GetAsync(PortholeClient.Path("pipelines", parseResult.GetRequiredValue(pipelineId)), cancellationToken);
            if (parseResult.GetValue(json))
            {
                await CommonOptions.WriteJsonAsync(context, answer, cancellationToken);
                return ExitCodes.Success;
            }

            var pipeline = client.Read<PipelineView>(answer);
            await context.Output.WriteLineAsync(
                $"pipeline {pipeline.Id} (#{pipeline.Number}) of {pipeline.Project} at {Format.Text(pipeline.Ref)} {Format.Commit(pipeline.Commit)}: {pipeline.Status}");
            var table = new Table("WORKFLOW", "JOB", "NAME", "STATUS", "PARALLELISM", "ATTEMPTS", "REQUIRES");
            foreach (var workflow in pipeline.Workflows)
            {
                foreach (var job in workflow.Jobs)
                {
                    table.Add(
                        workflow.Name,
                        $"job {job.Id}",
                        job.Name,
                        job.Status,
                        job.Parallelism.ToString(CultureInfo.InvariantCulture),
                        job.Attempts.ToString(CultureInfo.InvariantCulture),
                        Format.List(job.Requires));
                }
            }

            if (table.Count == 0)
            {
                await context.Output.WriteLineAsync("no jobs");
                return ExitCodes.Success;
            }

            table.WriteTo(context.Output);
            return ExitCodes.Success;
        });
        return command;
    }
}
