using System.CommandLine;
using Porthole.Cli.Client;
using Porthole.Cli.Output;
using Porthole.Contracts.Api;

namespace Porthole.Cli.Commands;

/// <summary>
/// <c>porthole project notifications NAME [--url URL [--rotate] | --remove]</c>: a project's outgoing notification webhook
/// (R-BEY-4), admins only. With <c>--url</c> it is set, and its secret, made when there is none, printed that once.
/// </summary>
internal static class ProjectNotificationsCommand
{
    public static Command Create(CliContext context)
    {
        var project = CommonOptions.Project();
        var url = new Option<string>("--url") { Description = "Where the server POSTs a node's SSH events (ready, ending_soon, ended): an https:// (or http://) address", HelpName = "URL" };
        var rotate = new Option<bool>("--rotate") { Description = "With --url: replace the secret with a new one (the receiver must then be given it)" };
        var remove = new Option<bool>("--remove") { Description = "Remove the webhook: nothing is sent any more" };
        var json = CommonOptions.Json();
        var command = new Command("notifications", "Show a project's notification webhook, set it (--url) or remove it (--remove)") { project, url, rotate, remove, json };
        command.Validators.Add(result =>
        {
            if (result.GetValue(remove) && (result.GetValue(url) is not null || result.GetValue(rotate)))
            {
                result.AddError("give --url or --remove, not both");
            }
            else if (result.GetValue(rotate) && result.GetValue(url) is null)
            {
                result.AddError("--rotate goes with --url: the webhook's address is sent again with the new secret");
            }
        });
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var name = parseResult.GetRequiredValue(project);
            var path = PortholeClient.Path("projects", name, "notifications");
            using var client = PortholeClient.FromLogin(context);
            if (parseResult.GetValue(remove))
            {
                await client.SendAsync(HttpMethod.Delete, path, body: null, cancellationToken);
                await context.Output.WriteLineAsync($"project {name}: notification webhook removed");
                return ExitCodes.Success;
            }

            var answer = parseResult.GetValue(url) is { } address
                ? await client.SendAsync(HttpMethod.Put, path, new SetNotificationWebhookRequest(address, parseResult.GetValue(rotate) ? true : null), cancellationToken)
                : await client.GetAsync(path, cancellationToken);
            if (parseResult.GetValue(json))
            {
                await CommonOptions.WriteJsonAsync(context, answer, cancellationToken);
                return ExitCodes.Success;
            }

            await WriteAsync(context, client.Read<NotificationWebhookView>(answer), name);
            return ExitCodes.Success;
        });
        return command;
    }

    private static async Task WriteAsync(CliContext context, NotificationWebhookView webhook, string name)
    {
        var output = context.Output;
        if (webhook.Url is null)
        {
            await output.WriteLineAsync($"project {webhook.Project} has no notification webhook; set one with {context.CommandName} project notifications {name} --url https://…");
            return;
        }

        await output.WriteLineAsync($"notification webhook of project {webhook.Project}: {webhook.Url}");
        if (webhook.Secret is { } secret)
        {
            await output.WriteLineAsync($"secret: {secret}");
            await output.WriteLineAsync("It is shown this once: give it to the receiver now, to check X-Porthole-Signature-256 (sha256=HMAC-SHA256 of the body, hex).");
        }
        else
        {
            await output.WriteLineAsync(
                $"a secret exists (made by {Format.Text(webhook.CreatedBy)} at {Format.Time(webhook.CreatedAt)}); it is not shown again: "
                + $"replace it with {context.CommandName} project notifications {name} --url URL --rotate");
        }
    }
}
