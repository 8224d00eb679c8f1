using System.CommandLine;
using Porthole.Cli.Client;
using Porthole.Cli.Output;
using Porthole.Contracts.Api;

namespace Porthole.Cli.Commands;

/// <summary><c>porthole env set</c> and <c>porthole env list</c>: a project's environment variables and secrets.</summary>
internal static class EnvCommands
{
    public static Command Create(CliContext context)
    {
        var env = new Command("env", "Manage a project's environment variables and secrets");
        env.Subcommands.Add(Set(context));
        env.Subcommands.Add(List(context));
        return env;
    }

    private static Command Set(CliContext context)
    {
        var project = CommonOptions.Project();
        var name = new Argument<string>("var") { Description = "The variable's name" };
        var value = new Argument<string>("value") { Description = "Its value" };
        var secret = new Option<bool>("--secret") { Description = "Keep it secret (4 characters at least): never shown again, masked in every log" };
        var command = new Command("set", "Set a project's environment variable") { project, name, value, secret };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            using var client = PortholeClient.FromLogin(context);
            var projectName = parseResult.GetRequiredValue(project);
            var variable = parseResult.GetRequiredValue(name);
            var isSecret = parseResult.GetValue(secret);
            var request = new SetVariableRequest(parseResult.GetRequiredValue(value), isSecret);
            await client.SendAsync(HttpMethod.Put, PortholeClient.Path("projects", projectName, "env", variable), request, cancellationToken);
            await context.Output.WriteLineAsync($"{(isSecret ? "secret" : "variable")} {variable} set in project {projectName}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List(CliContext context)
    {
        var project = CommonOptions.Project();
        var json = CommonOptions.Json();
        var command = new Command("list", "List a project's environment variables (secrets without their values)") { project, json };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            using var client = PortholeClient.FromLogin(context);
            var projectName = parseResult.GetRequiredValue(project);
            var answer = await client.GetAsync(PortholeClient.Path("projects", projectName, "env"), cancellationToken);
            if (parseResult.GetValue(json))
            {
                await CommonOptions.WriteJsonAsync(context, answer, cancellationToken);
                return ExitCodes.Success;
            }

            var variables = client.Read<List<VariableView>>(answer);
            if (variables.Count == 0)
            {
                await context.Output.WriteLineAsync($"no variables in project {projectName}: set one with {context.CommandName} env set {projectName} VAR VALUE");
                return ExitCodes.Success;
            }

            var table = new Table("NAME", "KIND", "VALUE");
            foreach (var v in variables)
            {
                table.Add(v.Name, v.Secret ? "secret" : "plain", v.Secret ? "(hidden)" : v.Value ?? "");
            }

            table.WriteTo(context.Output);
            return ExitCodes.Success;
        });
        return command;
    }
}
