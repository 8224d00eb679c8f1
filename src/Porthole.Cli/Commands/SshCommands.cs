using System.CommandLine;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Porthole.Cli.Client;
using Porthole.Contracts.Api;
using Porthole.Cli.Output;
using Porthole.Cli.Ssh;
using ApiJson = Porthole.Contracts.Api.ApiJson;
using Status = Porthole.Contracts.Api.Status;

namespace Porthole.Cli.Commands;

/// <summary>
/// <c>porthole ssh JOB</c>: enters a node of a job rerun with SSH with the real ssh, the host key pinned and the
/// right key chosen (R-SSH-3); <c>porthole ssh doctor JOB</c>: why a key is refused, and what to do (R-SSH-4).
/// </summary>
internal static class SshCommands
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>The API's JSON, printed without escaping the <c>+</c> of fingerprints and base64 keys.</summary>
    private static readonly JsonSerializerOptions PrintJson = new(ApiJson.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create(CliContext context, IProcessLauncher launcher)
    {
        var jobId = CommonOptions.JobId();
        var node = NodeOption();
        var attempt = AttemptOption();
        var identity = new Option<string>("--identity", "-i") { Description = "The key file to offer (ssh -i); by default the first local key the node accepts" };
        var wait = new Option<int>("--wait") { Description = "Seconds to wait for the node's SSH endpoint to come up", DefaultValueFactory = _ => 60 };
        var remote = new Argument<string[]>("remote-command")
        {
            Description = "After --: a command to run in the job's environment instead of a login shell",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var command = new Command("ssh", "Enter a node of a job rerun with SSH (porthole rerun JOB --ssh), or see why a key is refused (ssh doctor)")
        {
            jobId, node, attempt, identity, wait, remote,
        };
        command.Subcommands.Add(Doctor(context));
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var id = parseResult.GetRequiredValue(jobId);
            var nodeIndex = CheckNode(parseResult.GetValue(node));
            var attemptNumber = CheckAttempt(parseResult.GetValue(attempt));
            var waitSeconds = parseResult.GetValue(wait);
            if (waitSeconds < 0)
            {
                throw CliException.Usage("--wait must be 0 or more seconds");
            }

            var home = LocalKeys.Home(context);
            var identityFile = parseResult.GetValue(identity) is { Length: > 0 } given ? LocalKeys.Expand(given, home) : null;
            if (identityFile is not null && !File.Exists(identityFile))
            {
                throw new CliException($"--identity {identityFile}: no such file");
            }

            using var client = PortholeClient.FromLogin(context);
            var nodeView = await WaitForEndpointAsync(context, client, id, nodeIndex, attemptNumber, waitSeconds, cancellationToken);
            var endpoint = SshEndpoint.From(id, nodeView);
            var knownHosts = KnownHostsFile.Locate(context);
            KnownHostsFile.Pin(knownHosts, endpoint.Host, endpoint.Port, endpoint.HostKey);
            identityFile ??= await ChooseIdentityAsync(context, id, nodeIndex, endpoint, knownHosts, cancellationToken);

            var arguments = SshCommandLine.For(endpoint, knownHosts, identityFile, launcher.InputIsTerminal, parseResult.GetValue(remote) ?? []);
            await context.Output.FlushAsync(cancellationToken);
            await context.Error.FlushAsync(cancellationToken);
            return await launcher.RunAsync("ssh", arguments, cancellationToken);
        });
        return command;
    }

    private static Command Doctor(CliContext context)
    {
        var jobId = CommonOptions.JobId();
        var node = NodeOption();
        var attempt = AttemptOption();
        var json = new Option<bool>("--json") { Description = "Print the API's SSH view as it is, with this machine's keys" };
        var command = new Command("doctor", "Troubleshoot \"Permission denied (publickey)\": the keys a node accepts, the keys refused and why, and yours")
        {
            jobId, node, attempt, json,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var id = parseResult.GetRequiredValue(jobId);
            var nodeIndex = CheckNode(parseResult.GetValue(node));
            var attemptNumber = CheckAttempt(parseResult.GetValue(attempt));
            using var client = PortholeClient.FromLogin(context);
            var answer = await client.GetAsync(ViewPath(id, attemptNumber), cancellationToken);
            var view = client.Read<JobSshView>(answer);
            var nodeView = FindNode(view, id, nodeIndex);
            var scan = await LocalKeys.ScanAsync(context, cancellationToken);
            if (parseResult.GetValue(json))
            {
                await context.Output.WriteLineAsync(DoctorJson(answer, nodeIndex, nodeView, scan).ToJsonString(PrintJson));
                return ExitCodes.Success;
            }

            SshDoctor.Write(context.Output, view, nodeIndex, nodeView, scan);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Option<int> NodeOption() =>
        new("--node", "-n") { Description = "The node, from 0 to the job's parallelism - 1", DefaultValueFactory = _ => 0 };

    private static Option<int?> AttemptOption() =>
        new("--attempt", "-a") { Description = "The attempt; default the latest attempt with SSH" };

    private static int CheckNode(int node) => node >= 0 ? node : throw CliException.Usage("--node must be 0 or more");

    private static int? CheckAttempt(int? attempt) => attempt is < 1 ? throw CliException.Usage("--attempt must be 1 or more") : attempt;

    private static string ViewPath(long jobId, int? attempt) =>
        PortholeClient.Path("jobs", jobId, "ssh") + (attempt is { } a ? string.Create(CultureInfo.InvariantCulture, $"?attempt={a}") : "");

    /// <summary>The node's view; null when the attempt has no nodes yet; an error when it has nodes but not this one.</summary>
    private static SshNodeView? FindNode(JobSshView view, long jobId, int nodeIndex)
    {
        var nodes = view.Nodes ?? [];
        var node = nodes.FirstOrDefault(n => n.Index == nodeIndex);
        if (node is null && nodes.Count > 0)
        {
            throw new CliException($"job {jobId} attempt {view.Attempt} has no node {nodeIndex}: its nodes are {string.Join(", ", nodes.Select(n => n.Index))} (pick one with --node)");
        }

        return node;
    }

    /// <summary>Asks for the node's SSH view every 500 ms until its sshd is up, for at most <paramref name="waitSeconds"/>.</summary>
    private static async Task<SshNodeView> WaitForEndpointAsync(
        CliContext context, PortholeClient client, long jobId, int nodeIndex, int? attempt, int waitSeconds, CancellationToken cancellationToken)
    {
        var time = context.TimeProvider;
        var limit = TimeSpan.FromSeconds(waitSeconds);
        var started = time.GetTimestamp();
        var maxPolls = (int)Math.Ceiling(limit / PollInterval);
        for (var polls = 0; ; polls++)
        {
            SshNodeView? node;
            try
            {
                var view = client.Read<JobSshView>(await client.GetAsync(ViewPath(jobId, attempt), cancellationToken));
                node = FindNode(view, jobId, nodeIndex);
            }
            catch (ApiException e) when (PortholeClient.IsRetryable(e.StatusCode) && polls < maxPolls)
            {
                // A proxy's 502/503 while the server restarts: the wait goes on.
                node = null;
            }

            if (node is not null && SshEndpoint.IsUp(node))
            {
                return node;
            }

            var status = node?.Status ?? "not started";
            if (node is not null && Status.IsFinished(node.Status))
            {
                throw new CliException($"job {jobId} node {nodeIndex} is {status} and has no SSH endpoint any more: rerun it with porthole rerun {jobId} --ssh");
            }

            if (polls >= maxPolls || time.GetElapsedTime(started) >= limit)
            {
                throw new CliException(
                    $"job {jobId} node {nodeIndex} has no SSH endpoint after {waitSeconds} s ({status}): try again later, or wait longer with --wait SECONDS");
            }

            if (polls == 0)
            {
                await context.Error.WriteLineAsync($"waiting up to {waitSeconds} s for the SSH endpoint of job {jobId} node {nodeIndex} ({status})");
            }

            await Task.Delay(PollInterval, time, cancellationToken);
        }
    }

    private static async Task<string> ChooseIdentityAsync(
        CliContext context, long jobId, int nodeIndex, SshEndpoint endpoint, string knownHosts, CancellationToken cancellationToken)
    {
        var doctor = nodeIndex == 0 ? $"porthole ssh doctor {jobId}" : $"porthole ssh doctor {jobId} --node {nodeIndex}";
        if (endpoint.AcceptedFingerprints.Count == 0)
        {
            throw new CliException($"job {jobId} node {nodeIndex} accepts no key: run {doctor}");
        }

        var scan = await LocalKeys.ScanAsync(context, cancellationToken);
        var key = Identity.Pick(scan, endpoint.AcceptedFingerprints)
            ?? throw new CliException(
                $"none of your local keys (~/.ssh/*.pub{(context.Environment("SSH_AUTH_SOCK") is { Length: > 0 } ? ", the SSH agent" : "")}) is accepted by " +
                $"job {jobId} node {nodeIndex}, which accepts {string.Join(", ", endpoint.AcceptedFingerprints)}: run {doctor}");
        return await Identity.PathForAsync(context, key, knownHosts, cancellationToken);
    }

    private static JsonObject DoctorJson(string answer, int nodeIndex, SshNodeView? node, LocalKeyScan scan)
    {
        var accepted = node?.AcceptedFingerprints ?? [];
        var keys = new JsonArray();
        foreach (var key in scan.Keys)
        {
            var item = JsonSerializer.SerializeToNode(key, PrintJson)!.AsObject();
            item["accepted"] = accepted.Contains(key.Fingerprint);
            keys.Add(item);
        }

        return new JsonObject
        {
            ["ssh"] = JsonNode.Parse(answer),
            ["node"] = nodeIndex,
            ["local_keys"] = keys,
            ["notes"] = new JsonArray([.. scan.Notes.Select(n => (JsonNode?)JsonValue.Create(n))]),
        };
    }
}
