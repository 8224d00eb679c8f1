using System.CommandLine;
using System.Globalization;
using Porthole.Cli.Client;
using Porthole.Cli.Ssh;
using Porthole.Contracts.Api;

namespace Porthole.Cli.Commands;

/// <summary>
/// <c>porthole debug JOB</c>: restarts a job in debug mode (R-DBG-1) and enters its tmux session with the real ssh,
/// as <c>porthole ssh</c> enters a node (host key pinned, accepted key chosen); with <c>--read-only</c> it starts
/// nothing and joins the latest debug session as an observer (R-DBG-7).
/// </summary>
internal static class DebugCommand
{
    /// <summary>A debug run goes through the job's whole setup (environment, checkout, caches, debug tools) before its sshd is up.</summary>
    private const int DefaultWaitSeconds = 300;

    /// <summary>The command that, after <c>--</c>, asks the node's sshd to attach the connection to the session read-only.</summary>
    private const string WatchCommand = "watch";

    public static Command Create(CliContext context, IProcessLauncher launcher)
    {
        var jobId = CommonOptions.JobId();
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Keep the session out of the job's log (nothing typed or shown is echoed into it)" };
        var readOnly = new Option<bool>("--read-only")
        {
            Description = "Start nothing: join the job's latest debug session as an observer, who sees it but cannot type",
        };
        var fromStep = new Option<string>("--from-step")
        {
            Description = "Run the steps before STEP (its index from 0, or its name) first, then stop there; the first step by default, as Travis does",
            HelpName = "STEP",
        };
        var noConnect = new Option<bool>("--no-connect") { Description = "Print the ssh command once the session is up instead of connecting" };
        var node = SshCommands.NodeOption();
        var identity = SshCommands.IdentityOption();
        var wait = SshCommands.WaitOption(DefaultWaitSeconds);
        var command = new Command("debug", "Restart a job in debug mode and enter its shared terminal session (tmux), or join it read-only")
        {
            jobId, quiet, readOnly, fromStep, noConnect, node, identity, wait,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var id = parseResult.GetRequiredValue(jobId);
            var nodeIndex = SshCommands.CheckNode(parseResult.GetValue(node));
            var waitSeconds = SshCommands.CheckWait(parseResult.GetValue(wait));
            var watching = parseResult.GetValue(readOnly);
            if (watching && parseResult.GetValue(quiet))
            {
                throw CliException.Usage("--quiet applies to the debug run porthole debug starts; --read-only starts none");
            }

            var from = parseResult.GetValue(fromStep);
            if (watching && from is not null)
            {
                throw CliException.Usage("--from-step applies to the debug run porthole debug starts; --read-only starts none");
            }

            var identityFile = NodeConnection.IdentityFile(context, parseResult.GetValue(identity));

            using var client = PortholeClient.FromLogin(context);
            var attempt = watching ? null : await StartAsync(context, client, id, parseResult.GetValue(quiet), from, cancellationToken);
            var nodeView = await WaitForSessionAsync(context, client, id, nodeIndex, attempt, waitSeconds, watching, cancellationToken);
            if (parseResult.GetValue(noConnect))
            {
                var endpoint = SshEndpoint.From(id, nodeView);
                var port = endpoint.Port.ToString(CultureInfo.InvariantCulture);
                await context.Output.WriteLineAsync(
                    watching ? $"ssh -t -p {port} {endpoint.Destination} -- {WatchCommand}" : $"ssh -p {port} {endpoint.Destination}");
                if (nodeView.OpenAccessCommand is { } open)
                {
                    // R-DBG-7's opt-in: the command that lets in anyone who has it, whatever their key. It is a secret.
                    await context.Output.WriteLineAsync($"anyone with this command gets in (debug_open_access is on; keep it private): {open}");
                }

                return ExitCodes.Success;
            }

            return await NodeConnection.RunSshAsync(
                context, launcher, id, nodeView, identityFile, watching ? [WatchCommand] : [], forceTerminal: true, cancellationToken);
        });
        return command;
    }

    /// <summary><c>POST /api/jobs/{id}/debug</c>; the attempt it started, whose endpoint is then waited for.</summary>
    private static async Task<int?> StartAsync(CliContext context, PortholeClient client, long jobId, bool quiet, string? fromStep, CancellationToken cancellationToken)
    {
        var request = new DebugJobRequest(quiet ? true : null) { FromStep = fromStep };
        var answer = await client.SendAsync(HttpMethod.Post, PortholeClient.Path("jobs", jobId, "debug"), request, cancellationToken);
        var started = client.Read<RerunResponse>(answer);
        var job = started.Jobs?.FirstOrDefault(j => j.JobId == jobId);
        var stops = fromStep is null ? "" : $", stopping before step {fromStep}";
        if (job is null)
        {
            await context.Output.WriteLineAsync($"job {jobId}: debug run started{stops}");
            return null;
        }

        await context.Output.WriteLineAsync($"job {job.JobId} {job.Name} attempt {job.Attempt}: debug run started{stops}");
        return job.Attempt;
    }

    private static async Task<SshNodeView> WaitForSessionAsync(
        CliContext context, PortholeClient client, long jobId, int nodeIndex, int? attempt, int waitSeconds, bool watching, CancellationToken cancellationToken)
    {
        try
        {
            return await NodeConnection.WaitForEndpointAsync(
                context, client, jobId, nodeIndex, attempt, waitSeconds, $"start a new debug run with {context.CommandName} debug {jobId}", cancellationToken);
        }
        catch (ApiException e) when (watching && e.Code == ErrorCodes.NotSshAttempt)
        {
            // The server's words are about SSH reruns; an observer was looking for a debug session.
            throw new ApiException(e.StatusCode, e.Code, $"job {jobId} has no debug session to join: start one with {context.CommandName} debug {jobId}");
        }
    }
}
