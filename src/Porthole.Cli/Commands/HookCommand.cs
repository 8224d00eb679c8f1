using System.CommandLine;
using Porthole.Cli.Client;
using Porthole.Cli.Output;
using Porthole.Contracts.Api;

namespace Porthole.Cli.Commands;

/// <summary>
/// <c>porthole project hook NAME [--rotate]</c>: the address of the project's GitHub push webhook, and its secret, made
/// when the project has none (write access) and printed that once; <c>--rotate</c> replaces it.
/// </summary>
internal static class HookCommand
{
    public static Command Create(CliContext context)
    {
        var project = CommonOptions.Project();
        var rotate = new Option<bool>("--rotate") { Description = "Replace the secret with a new one (GitHub's webhook must then be given the new one)" };
        var json = CommonOptions.Json();
        var command = new Command("hook", "Show a project's GitHub push webhook, making its secret if it has none") { project, rotate, json };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var name = parseResult.GetRequiredValue(project);
            var path = PortholeClient.Path("projects", name, "hook");
            using var client = PortholeClient.FromLogin(context);

            // A read member sees the hook without asking to make anything; a secret is made only when there is none.
            string answer;
            if (parseResult.GetValue(rotate))
            {
                answer = await client.SendAsync(HttpMethod.Post, path, new CreateHookRequest(true), cancellationToken);
            }
            else
            {
                answer = await client.GetAsync(path, cancellationToken);
                if (!client.Read<HookView>(answer).HasSecret)
                {
                    answer = await client.SendAsync(HttpMethod.Post, path, new CreateHookRequest(false), cancellationToken);
                }
            }

            if (parseResult.GetValue(json))
            {
                await CommonOptions.WriteJsonAsync(context, answer, cancellationToken);
                return ExitCodes.Success;
            }

            var hook = client.Read<HookView>(answer);
            var output = context.Output;
            await output.WriteLineAsync($"webhook of project {hook.Project}: {client.Server.Display}{hook.Path}");
            if (hook.Secret is { } secret)
            {
                await output.WriteLineAsync($"secret: {secret}");
                await output.WriteLineAsync("It is shown this once: give it to GitHub now (Settings > Webhooks > Add webhook: the URL above as Payload URL,");
                await output.WriteLineAsync("content type application/json, this secret, \"Just the push event\").");
            }
            else
            {
                await output.WriteLineAsync(
                    $"a secret exists (made by {Format.Text(hook.SecretCreatedBy)} at {Format.Time(hook.SecretCreatedAt)}); it is not shown again: "
                    + $"replace it with {context.CommandName} project hook {name} --rotate");
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
