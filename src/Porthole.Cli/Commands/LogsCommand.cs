using System.CommandLine;
using System.Globalization;
using Porthole.Cli.Client;
using Porthole.Cli.Output;
using Porthole.Contracts.Api;

namespace Porthole.Cli.Commands;

/// <summary>
/// <c>porthole logs JOB</c>: a node's log as stored, or with <c>-f</c> live until the node ends. Its ANSI colour reaches a
/// terminal; into a file or a pipe the escape sequences are left out unless <c>--color always</c> asks for them.
/// </summary>
internal static class LogsCommand
{
    public static Command Create(CliContext context)
    {
        var jobId = CommonOptions.JobId();
        var node = new Option<int>("--node", "-n") { Description = "The node, from 0 to the job's parallelism - 1", DefaultValueFactory = _ => 0 };
        var attempt = new Option<int?>("--attempt", "-a") { Description = "The attempt; default the latest" };
        var follow = new Option<bool>("--follow", "-f") { Description = "Stream the log as it is written until the node ends; exit 1 unless it succeeded" };
        var color = new Option<string>("--color")
        {
            Description = "When to keep the log's ANSI colour and other escape sequences: auto (when standard output is a terminal), always or never",
            DefaultValueFactory = _ => "auto",
        };
        color.AcceptOnlyFromAmong("auto", "always", "never");
        var command = new Command("logs", "Print a job node's log (in colour on a terminal; see --color)") { jobId, node, attempt, follow, color };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var id = parseResult.GetRequiredValue(jobId);
            var nodeIndex = parseResult.GetValue(node);
            var attemptNumber = parseResult.GetValue(attempt);
            if (nodeIndex < 0)
            {
                throw CliException.Usage("--node must be 0 or more");
            }

            if (attemptNumber is < 1)
            {
                throw CliException.Usage("--attempt must be 1 or more");
            }

            var keepEscapes = parseResult.GetValue(color) switch
            {
                "always" => true,
                "never" => false,
                _ => context.OutputIsTerminal,
            };
            await using var stripping = keepEscapes ? null : new AnsiStrippingStream(context.RawOutput);
            var output = (Stream?)stripping ?? context.RawOutput;

            using var client = PortholeClient.FromLogin(context);
            if (!parseResult.GetValue(follow))
            {
                await CopyAsync(context, output, client, id, nodeIndex, attemptNumber, cancellationToken);
                return ExitCodes.Success;
            }

            var status = await new LogFollower(client, context, output).FollowAsync(id, nodeIndex, attemptNumber, cancellationToken);
            if (status == Status.Success)
            {
                return ExitCodes.Success;
            }

            await context.Error.WriteLineAsync($"job {id} node {nodeIndex}: {status}");
            return ExitCodes.Failed;
        });
        return command;
    }

    private static async Task CopyAsync(CliContext context, Stream output, PortholeClient client, long jobId, int node, int? attempt, CancellationToken cancellationToken)
    {
        var path = PortholeClient.Path("jobs", jobId, "log") + string.Create(CultureInfo.InvariantCulture, $"?node={node}");
        if (attempt is { } a)
        {
            path += string.Create(CultureInfo.InvariantCulture, $"&attempt={a}");
        }

        using var response = await client.OpenAsync(path, "text/plain", cancellationToken);
        await context.Output.FlushAsync(cancellationToken);
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            await body.CopyToAsync(output, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new ServerUnreachableException(client.Server.Display, $"the log of job {jobId} node {node} broke off: {e.Message}", e);
        }
        catch (HttpIOException e)
        {
            throw new ServerUnreachableException(client.Server.Display, $"the log of job {jobId} node {node} broke off: {e.Message}", e);
        }

        await output.FlushAsync(cancellationToken);
    }
}
