using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Porthole.Cli.Client;
using Porthole.Cli.Output;
using Porthole.Contracts.Api;

namespace Porthole.Cli.Commands;

/// <summary><c>porthole job</c>, <c>porthole cancel</c> and <c>porthole rerun</c>.</summary>
internal static class JobCommands
{
    public static IEnumerable<Command> Create(CliContext context)
    {
        yield return Show(context);
        yield return Cancel(context);
        yield return Rerun(context);
    }

    private static Command Show(CliContext context)
    {
        var jobId = CommonOptions.JobId();
        var json = CommonOptions.Json();
        var command = new Command("job", "Show a job: its attempts, nodes and steps") { jobId, json };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            using var client = PortholeClient.FromLogin(context);
            var answer = await client.GetAsync(PortholeClient.Path("jobs", parseResult.GetRequiredValue(jobId)), cancellationToken);
            if (parseResult.GetValue(json))
            {
                await CommonOptions.WriteJsonAsync(context, answer, cancellationToken);
                return ExitCodes.Success;
            }

            Write(context.Output, client.Read<JobView>(answer));
            return ExitCodes.Success;
        });
        return command;
    }

    private static void Write(TextWriter output, JobView job)
    {
        output.WriteLine($"job {job.Id} {job.Name}: {job.Status}");
        output.WriteLine($"project {job.Project}, pipeline {job.PipelineId} (#{job.PipelineNumber}), workflow {job.WorkflowId} {job.WorkflowName}");
        output.WriteLine($"parallelism {job.Parallelism}, requires {Format.List(job.Requires)}");
        if (job.NoRunner is { } noRunner)
        {
            output.WriteLine(Format.Text(noRunner));
        }
        foreach (var attempt in job.Attempts)
        {
            output.WriteLine();
            output.WriteLine(
                $"attempt {attempt.Number}: {attempt.Status} ({Format.Text(attempt.Reason)}), created {Format.Time(attempt.CreatedAt)}, " +
                $"started {Format.Time(attempt.StartedAt)}, finished {Format.Time(attempt.FinishedAt)}");
            if (BreakpointText.Of(attempt) is { } breakpoint)
            {
                output.WriteLine($"  {Format.Text(breakpoint)}");
            }

            foreach (var node in attempt.Nodes)
            {
                var message = string.IsNullOrWhiteSpace(node.Message) ? "" : $": {OneLine.Of(node.Message)}";
                output.WriteLine($"  node {node.Index}: {node.Status}{message} ({node.LogLength} bytes of log)");
                if (node.Steps.Count == 0)
                {
                    continue;
                }

                var steps = new Table("STEP", "NAME", "STATUS", "EXIT", "STARTED", "FINISHED");
                foreach (var step in node.Steps)
                {
                    steps.Add(
                        $"step {step.Index}",
                        step.Background ? $"{step.Name} (background)" : step.Name,
                        step.Status,
                        step.ExitCode is { } code ? code.ToString(CultureInfo.InvariantCulture) : "-",
                        Format.Time(step.StartedAt),
                        Format.Time(step.FinishedAt));
                }

                steps.WriteTo(output, indent: "    ");
            }
        }
    }

    private static Command Cancel(CliContext context)
    {
        var jobId = CommonOptions.JobId();
        var command = new Command("cancel", "Cancel a job: its running nodes stop and their SSH sessions close") { jobId };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            using var client = PortholeClient.FromLogin(context);
            var id = parseResult.GetRequiredValue(jobId);
            var answer = await client.SendAsync(HttpMethod.Post, PortholeClient.Path("jobs", id, "cancel"), body: null, cancellationToken);
            await context.Output.WriteLineAsync(TryRead(answer) is { } job ? $"job {job.Id} {job.Name} {job.Status}" : $"job {id}: cancel requested");
            return ExitCodes.Success;
        });
        return command;
    }

    private static JobView? TryRead(string answer)
    {
        if (string.IsNullOrWhiteSpace(answer))
        {
            return null;
        }

        try
        {
            var job = JsonSerializer.Deserialize<JobView>(answer, ApiJson.Options);
            return job is { Name: not null, Status: not null } ? job : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static Command Rerun(CliContext context)
    {
        var jobId = CommonOptions.JobId();
        var fromFailed = new Option<bool>("--from-failed") { Description = "Rerun every failed job of the workflow and the jobs that depend on them" };
        var ssh = new Option<bool>("--ssh") { Description = "Rerun the job with an SSH endpoint on each node; enter it with porthole ssh JOB" };
        var breakBefore = new Option<string>("--break-before")
        {
            Description = "With --ssh: run the steps before STEP (its index from 0, or its name), then stop there in a shared debug session",
            HelpName = "STEP",
        };
        var breakOnFailure = new Option<bool>("--break-on-failure") { Description = "With --ssh: run the steps, and stop in a shared debug session at the first that fails" };
        var json = CommonOptions.Json();
        var command = new Command("rerun", "Rerun a job as a new attempt of the same job") { jobId, fromFailed, ssh, breakBefore, breakOnFailure, json };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var withSsh = parseResult.GetValue(ssh);
            if (withSsh && parseResult.GetValue(fromFailed))
            {
                throw CliException.Usage("--ssh reruns the one job; it cannot be combined with --from-failed");
            }

            var breakpoint = Breakpoint(context, parseResult.GetValue(breakBefore), parseResult.GetValue(breakOnFailure), withSsh);
            using var client = PortholeClient.FromLogin(context);
            var id = parseResult.GetRequiredValue(jobId);
            object request = withSsh
                ? new RerunRequest(null, Ssh: true) { BreakBefore = breakpoint.Before, BreakOnFailure = breakpoint.OnFailure ? true : null }
                : new RerunRequest(parseResult.GetValue(fromFailed) ? true : null);
            var answer = await client.SendAsync(HttpMethod.Post, PortholeClient.Path("jobs", id, "rerun"), request, cancellationToken);
            if (parseResult.GetValue(json))
            {
                await CommonOptions.WriteJsonAsync(context, answer, cancellationToken);
                return ExitCodes.Success;
            }

            var rerun = client.Read<RerunResponse>(answer);
            foreach (var job in rerun.Jobs)
            {
                await context.Output.WriteLineAsync($"job {job.JobId} {job.Name} attempt {job.Attempt}{(withSsh ? " with SSH" : "")}{breakpoint.Text}");
            }

            if (withSsh)
            {
                var sshJob = rerun.Jobs.Count > 0 ? rerun.Jobs[0].JobId : id;
                await context.Output.WriteLineAsync($"enter it: {context.CommandName} ssh {sshJob}");
                if (breakpoint.Text.Length > 0)
                {
                    await context.Output.WriteLineAsync("in the session, porthole-continue runs the rest of the steps");
                }

                await context.Output.WriteLineAsync($"if your key is refused: {context.CommandName} ssh doctor {sshJob}");
            }
            else if (rerun.Jobs.Count > 0)
            {
                await context.Output.WriteLineAsync($"follow its log: {context.CommandName} logs {rerun.Jobs[0].JobId} -f");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The breakpoint asked for (R-BEY-4): it stops a rerun with SSH, and a run stops at one.</summary>
    private static (string? Before, bool OnFailure, string Text) Breakpoint(CliContext context, string? before, bool onFailure, bool withSsh)
    {
        if (before is null && !onFailure)
        {
            return (null, false, "");
        }

        if (before is not null && onFailure)
        {
            throw CliException.Usage("a run stops at one breakpoint: give --break-before STEP or --break-on-failure, not both");
        }

        if (!withSsh)
        {
            var (flag, usage) = before is null ? ("--break-on-failure", "--break-on-failure") : ("--break-before", "--break-before STEP");
            throw CliException.Usage($"{flag} stops a rerun with SSH: add --ssh ({context.CommandName} rerun JOB --ssh {usage})");
        }

        return before is null
            ? (null, true, ", stopping at the first failing step")
            : (before, false, $", stopping before step {before}");
    }
}
