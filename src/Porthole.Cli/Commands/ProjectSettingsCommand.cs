using System.CommandLine;
using Porthole.Cli.Client;
using Porthole.Contracts.Api;

namespace Porthole.Cli.Commands;

/// <summary>
/// <c>porthole project settings</c>: shows or changes a project's debug_enabled, ssh_write_members and debug_open_access
/// (R-AC-3, R-SSH-4, R-DBG-7), ssh_port_forwarding (R-BEY-5), retry_lost_nodes (issue 14), hold_on_failure (R-BEY-1) and
/// session_recording (R-BEY-2).
/// </summary>
internal static class ProjectSettingsCommand
{
    public static Command Create(CliContext context)
    {
        var project = CommonOptions.Project();
        var debugEnabled = TrueOrFalse("--debug-enabled", "Allow SSH reruns and debug jobs in this project (admins only)");
        var sshWriteMembers = TrueOrFalse("--ssh-write-members", "Accept the keys of every write member in an SSH rerun, not only the requester's");
        var openAccess = TrueOrFalse("--debug-open-access", "Let anyone with a debug run's ssh command in, whatever their key (Travis's way; off by default)");
        var retryLost = TrueOrFalse("--retry-lost-nodes", "Retry once, on another runner, a job whose runner stopped heart-beating (off by default)");
        var forwarding = TrueOrFalse("--ssh-port-forwarding", "Let an SSH node's writers forward local ports to the node itself (ssh -L, VS Code Remote-SSH; off by default)");
        var recording = TrueOrFalse("--session-recording", "Record every SSH and debug session of the project's jobs, secrets masked, kept with the job (on by default)");
        var hold = new Option<string>("--hold-on-failure")
        {
            Description = "Keep a node whose step failed for SSH: off, ssh (the triggerer may enter, as an SSH rerun's requester), or write (every write member)",
        };
        hold.AcceptOnlyFromAmong([.. HoldOnFailureModes.All]);
        var json = CommonOptions.Json();
        var command = new Command("settings", "Show a project's settings, or change them with the options given")
        {
            project, debugEnabled, sshWriteMembers, openAccess, retryLost, forwarding, hold, recording, json,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var name = parseResult.GetRequiredValue(project);
            var request = new ProjectSettingsRequest(
                Parse(parseResult.GetValue(debugEnabled)),
                Parse(parseResult.GetValue(sshWriteMembers)),
                Parse(parseResult.GetValue(openAccess)),
                Parse(parseResult.GetValue(retryLost)))
            {
                SshPortForwarding = Parse(parseResult.GetValue(forwarding)),
                HoldOnFailure = parseResult.GetValue(hold),
                SessionRecording = Parse(parseResult.GetValue(recording)),
            };
            using var client = PortholeClient.FromLogin(context);
            var answer = request is { DebugEnabled: null, SshWriteMembers: null, DebugOpenAccess: null, RetryLostNodes: null, SshPortForwarding: null, HoldOnFailure: null, SessionRecording: null }
                ? await client.GetAsync(PortholeClient.Path("projects", name), cancellationToken)
                : await client.SendAsync(HttpMethod.Put, PortholeClient.Path("projects", name, "settings"), request, cancellationToken);
            if (parseResult.GetValue(json))
            {
                await CommonOptions.WriteJsonAsync(context, answer, cancellationToken);
                return ExitCodes.Success;
            }

            var settings = client.Read<ProjectView>(answer);
            await context.Output.WriteLineAsync(
                $"project {settings.Name}: debug_enabled {Text(settings.DebugEnabled)}, ssh_write_members {Text(settings.SshWriteMembers)}, "
                + $"debug_open_access {Text(settings.DebugOpenAccess)}, retry_lost_nodes {Text(settings.RetryLostNodes)}, "
                + $"ssh_port_forwarding {Text(settings.SshPortForwarding)}, hold_on_failure {settings.HoldOnFailure}, "
                + $"session_recording {Text(settings.SessionRecording)}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Option<string> TrueOrFalse(string name, string description)
    {
        var option = new Option<string>(name) { Description = $"{description}: true or false" };
        option.AcceptOnlyFromAmong("true", "false");
        return option;
    }

    private static bool? Parse(string? value) => value switch
    {
        "true" => true,
        "false" => false,
        _ => null,
    };

    private static string Text(bool value) => value ? "true" : "false";
}
