using System.CommandLine;
using Porthole.Cli.Client;
using Porthole.Contracts.Api;

namespace Porthole.Cli.Commands;

/// <summary>
/// <c>porthole approve JOB</c>: approves an approval job that is on hold (CircleCI's <c>type: approval</c>), so the jobs
/// that require it run. Calls <c>POST /api/jobs/{id}/approve</c>, which needs write access to the project.
/// </summary>
internal static class ApproveCommand
{
    public static Command Create(CliContext context)
    {
        var jobId = CommonOptions.JobId();
        jobId.Description = "The approval job's id (as in 'job 12'; CircleCI's approval request id)";
        var json = CommonOptions.Json();
        var command = new Command("approve", "Approve an approval job on hold: the workflow goes on with the jobs that require it") { jobId, json };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            using var client = PortholeClient.FromLogin(context);
            var id = parseResult.GetRequiredValue(jobId);
            var answer = await client.SendAsync(HttpMethod.Post, PortholeClient.Path("jobs", id, "approve"), body: null, cancellationToken);
            if (parseResult.GetValue(json))
            {
                await CommonOptions.WriteJsonAsync(context, answer, cancellationToken);
                return ExitCodes.Success;
            }

            var job = client.Read<JobView>(answer);
            var by = job.ApprovedBy is null ? "" : $" by {job.ApprovedBy}";
            await context.Output.WriteLineAsync($"job {job.Id} {job.Name} approved{by}: {job.Status}");
            await context.Output.WriteLineAsync($"follow the workflow: {context.CommandName} jobs {job.PipelineId}");
            return ExitCodes.Success;
        });
        return command;
    }
}
