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
        var gitRef = new Option<string>("--ref") { Description = "A branch or tag; the repository's default branch when neither --ref, --tag nor --commit is given" };
        var tag = new Option<string>("--tag") { Description = "A tag (refs/tags/TAG): a tag pipeline, as a pushed tag starts" };
        var commit = new Option<string>("--commit") { Description = "A commit hash" };
        var parameters = new Option<string[]>("--param")
        {
            Description = "A pipeline parameter, NAME=VALUE (CircleCI's top-level parameters:); may be given several times",
            HelpName = "NAME=VALUE",
            AllowMultipleArgumentsPerToken = false,
        };
        var hold = new Option<bool>("--hold-on-failure")
        {
            Description = "When a step fails, keep its node for SSH as the step left it (no further step runs; the job stays failed); enter it with porthole ssh JOB",
        };
        var json = CommonOptions.Json();
        var command = new Command("trigger", "Start a pipeline of a project") { project, gitRef, tag, commit, parameters, hold, json };
        command.Validators.Add(result =>
        {
            if (result.GetResult(gitRef) is not null && result.GetResult(tag) is not null)
            {
                result.AddError("give --ref or --tag, not both");
            }
        });
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            using var client = PortholeClient.FromLogin(context);
            var request = new TriggerRequest(
                parseResult.GetValue(gitRef), parseResult.GetValue(commit), parseResult.GetValue(tag), ParseParameters(parseResult.GetValue(parameters)))
            {
                HoldOnFailure = parseResult.GetValue(hold) ? true : null,
            };
            var path = PortholeClient.Path("projects", parseResult.GetRequiredValue(project), "pipelines");
            var answer = await client.SendAsync(HttpMethod.Post, path, request, cancellationToken);
            if (parseResult.GetValue(json))
            {
                await CommonOptions.WriteJsonAsync(context, answer, cancellationToken);
                return ExitCodes.Success;
            }

            var pipeline = client.Read<PipelineView>(answer);
            var output = context.Output;
            var at = pipeline.Tag is { } builtTag ? $" at tag {builtTag}" : pipeline.Branch is { } branch ? $" on {branch}" : "";
            await output.WriteLineAsync($"pipeline {pipeline.Id} (#{pipeline.Number}){at} {pipeline.Status}");
            if (pipeline.Parameters is { Count: > 0 } bound)
            {
                await output.WriteLineAsync($"parameters: {Parameters(bound)}");
            }

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

            var table = new Table("PIPELINE", "NUMBER", "REF", "COMMIT", "STATUS", "SOURCE", "CREATED", "PARAMETERS");
            foreach (var p in pipelines)
            {
                table.Add(
                    $"pipeline {p.Id}",
                    $"#{p.Number}",
                    p.Tag is { } builtTag ? $"tag {OneLine.Of(builtTag)}" : Format.Text(p.Ref),
                    Format.Commit(p.Commit),
                    p.Status,
                    p.ScheduleName is { } schedule ? $"{p.TriggerSource}:{OneLine.Of(schedule)}" : p.TriggerSource,
                    Format.Time(p.CreatedAt),
                    p.Parameters is { Count: > 0 } bound ? Parameters(bound) : "-");
            }

            table.WriteTo(context.Output);
            if (pipelines.FirstOrDefault(p => p.Status == Status.OnHold) is { } onHold)
            {
                await context.Output.WriteLineAsync(
                    $"on_hold: waiting for an approval; see its approval jobs with {context.CommandName} jobs {onHold.Id}, approve one with {context.CommandName} approve JOB");
            }

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
                        job.Type == Contracts.Plans.JobType.Approval ? $"{job.Name} (approval)" : job.Name,
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
            foreach (var job in pipeline.Workflows.SelectMany(w => w.Jobs))
            {
                foreach (var held in job.Held ?? [])
                {
                    var left = held.EndsAt is { } endsAt ? $", {Format.Duration(endsAt - context.TimeProvider.GetUtcNow())} left" : string.Empty;
                    await context.Output.WriteLineAsync(
                        $"job {job.Id} {job.Name}: node {held.Node} is held for SSH after its step failed{left}: {context.CommandName} ssh {job.Id} --node {held.Node}");
                }
            }

            foreach (var job in pipeline.Workflows.SelectMany(w => w.Jobs).Where(j => j.Type == Contracts.Plans.JobType.Approval))
            {
                var line = job.Status == Status.OnHold
                    ? $"job {job.Id} {job.Name} is on hold, waiting for approval: {context.CommandName} approve {job.Id}"
                    : job.ApprovedBy is { } by ? $"job {job.Id} {job.Name} approved by {by} at {Format.Time(job.ApprovedAt)}" : null;
                if (line is not null)
                {
                    await context.Output.WriteLineAsync(line);
                }
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary><c>NAME=VALUE</c> options as the API's parameters object (each value a string: the server reads them all as text).</summary>
    private static Dictionary<string, System.Text.Json.JsonElement>? ParseParameters(string[]? given)
    {
        if (given is null || given.Length == 0)
        {
            return null;
        }

        var parameters = new Dictionary<string, System.Text.Json.JsonElement>(StringComparer.Ordinal);
        foreach (var pair in given)
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw CliException.Usage($"--param takes NAME=VALUE, not '{OneLine.Of(pair)}'");
            }

            var name = pair[..equals];
            if (!parameters.TryAdd(name, System.Text.Json.JsonSerializer.SerializeToElement(pair[(equals + 1)..])))
            {
                throw CliException.Usage($"--param {OneLine.Of(name)} is given twice");
            }
        }

        return parameters;
    }

    private static string Parameters(IReadOnlyList<Contracts.Plans.PipelineParameter> parameters) =>
        OneLine.Of(string.Join(" ", parameters.Select(p => $"{p.Name}={p.Value}")));
}
