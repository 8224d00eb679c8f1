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
/// <c>porthole ssh JOB</c>: enters a node of a job rerun with SSH, or held for SSH after its step failed (R-BEY-1), with
/// the real ssh, the host key pinned and the right key chosen (R-SSH-3); with <c>--config</c>, prints the node as a
/// <c>Host</c> block of <c>~/.ssh/config</c> instead (R-BEY-5: VS Code Remote-SSH, scp, rsync); <c>porthole ssh doctor
/// JOB</c>: why a key is refused, and what to do (R-SSH-4).
/// </summary>
internal static class SshCommands
{
    /// <summary>The API's JSON, printed without escaping the <c>+</c> of fingerprints and base64 keys.</summary>
    private static readonly JsonSerializerOptions PrintJson = new(ApiJson.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create(CliContext context, IProcessLauncher launcher)
    {
        var jobId = CommonOptions.JobId();
        var node = NodeOption();
        var attempt = AttemptOption();
        var identity = IdentityOption();
        var wait = WaitOption(60);
        var config = new Option<bool>("--config")
        {
            Description = "Print the node as a Host block for ~/.ssh/config (VS Code Remote-SSH, scp, rsync) instead of connecting; its host key is pinned",
        };
        var remote = new Argument<string[]>("remote-command")
        {
            Description = "After --: a command to run in the job's environment instead of a login shell",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var command = new Command("ssh", "Enter a node of a job rerun with SSH (porthole rerun JOB --ssh) or held after its step failed (--hold-on-failure), or see why a key is refused (ssh doctor)")
        {
            jobId, node, attempt, identity, wait, config, remote,
        };
        command.Subcommands.Add(Doctor(context));
        command.Subcommands.Add(SshLifecycleCommands.Extend(context));
        command.Subcommands.Add(SshLifecycleCommands.Release(context));
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var id = parseResult.GetRequiredValue(jobId);
            var nodeIndex = CheckNode(parseResult.GetValue(node));
            var attemptNumber = CheckAttempt(parseResult.GetValue(attempt));
            var waitSeconds = CheckWait(parseResult.GetValue(wait));
            var identityFile = NodeConnection.IdentityFile(context, parseResult.GetValue(identity));
            var remoteCommand = parseResult.GetValue(remote) ?? [];
            var printConfig = parseResult.GetValue(config);
            if (printConfig && remoteCommand.Length > 0)
            {
                throw CliException.Usage("--config prints a Host block and runs nothing: leave out the command after --");
            }

            using var client = PortholeClient.FromLogin(context);
            var nodeView = await NodeConnection.WaitForEndpointAsync(
                context, client, id, nodeIndex, attemptNumber, waitSeconds, $"rerun it with {context.CommandName} rerun {id} --ssh", cancellationToken);
            return printConfig
                ? await NodeConnection.WriteConfigAsync(context, id, nodeView, identityFile, cancellationToken)
                : await NodeConnection.RunSshAsync(context, launcher, id, nodeView, identityFile, remoteCommand, forceTerminal: false, cancellationToken);
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
            var answer = await client.GetAsync(NodeConnection.ViewPath(id, attemptNumber), cancellationToken);
            var view = client.Read<JobSshView>(answer);
            var nodeView = NodeConnection.FindNode(view, id, nodeIndex);
            var scan = await LocalKeys.ScanAsync(context, cancellationToken);
            if (parseResult.GetValue(json))
            {
                await context.Output.WriteLineAsync(DoctorJson(answer, nodeIndex, nodeView, scan).ToJsonString(PrintJson));
                return ExitCodes.Success;
            }

            SshDoctor.Write(context.Output, context.CommandName, view, nodeIndex, nodeView, scan);
            return ExitCodes.Success;
        });
        return command;
    }

    internal static Option<int> NodeOption() =>
        new("--node", "-n") { Description = "The node, from 0 to the job's parallelism - 1", DefaultValueFactory = _ => 0 };

    internal static Option<string> IdentityOption() =>
        new("--identity", "-i") { Description = "The key file to offer (ssh -i); by default the first local key the node accepts" };

    internal static Option<int> WaitOption(int defaultSeconds) =>
        new("--wait") { Description = "Seconds to wait for the node's SSH endpoint to come up", DefaultValueFactory = _ => defaultSeconds };

    private static Option<int?> AttemptOption() =>
        new("--attempt", "-a") { Description = "The attempt; default the latest attempt with SSH (a rerun with SSH, or the job's own with a held node)" };

    internal static int CheckNode(int node) => node >= 0 ? node : throw CliException.Usage("--node must be 0 or more");

    internal static int CheckWait(int seconds) => seconds >= 0 ? seconds : throw CliException.Usage("--wait must be 0 or more seconds");

    private static int? CheckAttempt(int? attempt) => attempt is < 1 ? throw CliException.Usage("--attempt must be 1 or more") : attempt;

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
