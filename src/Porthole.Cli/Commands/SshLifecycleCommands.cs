using System.CommandLine;
using Porthole.Cli.Client;
using Porthole.Cli.Output;
using Porthole.Contracts.Api;
using Porthole.Contracts.Ssh;

namespace Porthole.Cli.Commands;

/// <summary>
/// <c>porthole ssh extend JOB [DURATION]</c> and <c>porthole ssh release JOB</c> (R-BEY-4): a node's SSH wait from
/// outside, as <c>porthole-extend</c> and <c>porthole-release</c> do inside a session. The node takes them at its next
/// heartbeat.
/// </summary>
internal static class SshLifecycleCommands
{
    public static Command Extend(CliContext context)
    {
        var jobId = CommonOptions.JobId();
        var node = SshCommands.NodeOption();
        var duration = new Argument<string?>("duration")
        {
            Description = "How much longer: 30m, 1h, 1h30m, 90s (a bare number is minutes); 30m when left out",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var command = new Command("extend", "Keep a node with SSH longer, up to the server's cap") { jobId, duration, node };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var text = parseResult.GetValue(duration);
            if (SshDuration.Parse(text, out var error) is null)
            {
                throw CliException.Usage(error!);
            }

            var id = parseResult.GetRequiredValue(jobId);
            var index = SshCommands.CheckNode(parseResult.GetValue(node));
            using var client = PortholeClient.FromLogin(context);
            var answer = await client.SendAsync(HttpMethod.Post, NodePath(id, index, "extend"), new ExtendRequest(text), cancellationToken);
            var view = client.Read<SshNodeView>(answer);
            var until = view.EndsAt is { } endsAt ? $" (it stayed until {Format.Time(endsAt)})" : string.Empty;
            await context.Output.WriteLineAsync($"node {index} of job {id}: asked to stay {text ?? "30m"} longer{until}; the node takes it at its next heartbeat");
            return ExitCodes.Success;
        });
        return command;
    }

    public static Command Release(CliContext context)
    {
        var jobId = CommonOptions.JobId();
        var node = SshCommands.NodeOption();
        var command = new Command("release", "End a node with SSH now, closing its sessions") { jobId, node };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var id = parseResult.GetRequiredValue(jobId);
            var index = SshCommands.CheckNode(parseResult.GetValue(node));
            using var client = PortholeClient.FromLogin(context);
            await client.SendAsync(HttpMethod.Post, NodePath(id, index, "release"), new { }, cancellationToken);
            await context.Output.WriteLineAsync($"node {index} of job {id}: released; it ends at its next heartbeat");
            return ExitCodes.Success;
        });
        return command;
    }

    private static string NodePath(long jobId, int node, string action) => PortholeClient.Path("jobs", jobId, "nodes", node, action);
}
