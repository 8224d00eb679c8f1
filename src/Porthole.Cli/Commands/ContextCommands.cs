using System.CommandLine;
using System.Globalization;
using Porthole.Cli.Client;
using Porthole.Cli.Output;
using Porthole.Contracts.Api;

namespace Porthole.Cli.Commands;

/// <summary>
/// <c>porthole context create|list|delete</c> and <c>porthole context env set|list|unset</c>: CircleCI's contexts, named sets
/// of variables and secrets that the jobs naming them get (dialects.md §A6). Server admins change them.
/// </summary>
internal static class ContextCommands
{
    public static Command Create(CliContext context)
    {
        var command = new Command("context", "Manage contexts: named sets of variables and secrets for the jobs that name them");
        command.Subcommands.Add(CreateContext(context));
        command.Subcommands.Add(List(context));
        command.Subcommands.Add(Delete(context));
        command.Subcommands.Add(Env(context));
        return command;
    }

    private static Argument<string> Name() => new("name") { Description = "The context's name, as a job's 'context:' gives it" };

    private static Command CreateContext(CliContext context)
    {
        var name = Name();
        var role = new Option<string>("--role")
        {
            Description = "The project role a job's user needs in the job's project to use it: read, write (the default) or admin",
            HelpName = "role",
        };
        role.AcceptOnlyFromAmong("read", "write", "admin");
        var command = new Command("create", "Create a context (server admins)") { name, role };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            using var client = PortholeClient.FromLogin(context);
            var request = new CreateContextRequest(parseResult.GetRequiredValue(name), parseResult.GetValue(role));
            var created = client.Read<ContextView>(await client.SendAsync(HttpMethod.Post, PortholeClient.Path("contexts"), request, cancellationToken));
            await context.Output.WriteLineAsync(
                $"context {created.Name} created: jobs of pipelines started by a member with {created.Role} access or more may use it; "
                + $"add variables with {context.CommandName} context env set {created.Name} VAR VALUE [--secret]");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List(CliContext context)
    {
        var json = CommonOptions.Json();
        var command = new Command("list", "List the contexts, with the role each asks for") { json };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            using var client = PortholeClient.FromLogin(context);
            var answer = await client.GetAsync(PortholeClient.Path("contexts"), cancellationToken);
            if (parseResult.GetValue(json))
            {
                await CommonOptions.WriteJsonAsync(context, answer, cancellationToken);
                return ExitCodes.Success;
            }

            var contexts = client.Read<List<ContextView>>(answer);
            if (contexts.Count == 0)
            {
                await context.Output.WriteLineAsync($"no contexts yet: a server admin creates one with {context.CommandName} context create NAME");
                return ExitCodes.Success;
            }

            var table = new Table("CONTEXT", "ROLE", "VARIABLES", "CREATED");
            foreach (var c in contexts)
            {
                table.Add(c.Name, c.Role, c.Variables.ToString(CultureInfo.InvariantCulture), Format.Time(c.CreatedAt));
            }

            table.WriteTo(context.Output);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Delete(CliContext context)
    {
        var name = Name();
        var command = new Command("delete", "Delete a context and its variables (server admins): jobs that name it fail from then on") { name };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            using var client = PortholeClient.FromLogin(context);
            var contextName = parseResult.GetRequiredValue(name);
            await client.SendAsync(HttpMethod.Delete, PortholeClient.Path("contexts", contextName), body: null, cancellationToken);
            await context.Output.WriteLineAsync($"context {contextName} deleted");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Env(CliContext context)
    {
        var env = new Command("env", "Manage a context's variables and secrets");
        env.Subcommands.Add(EnvSet(context));
        env.Subcommands.Add(EnvList(context));
        env.Subcommands.Add(EnvUnset(context));
        return env;
    }

    private static Command EnvSet(CliContext context)
    {
        var name = Name();
        var variable = new Argument<string>("var") { Description = "The variable's name" };
        var value = new Argument<string>("value") { Description = "Its value" };
        var secret = new Option<bool>("--secret") { Description = "Keep it secret (4 characters at least): never shown again, masked in every log" };
        var command = new Command("set", "Set a context's variable (server admins)") { name, variable, value, secret };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            using var client = PortholeClient.FromLogin(context);
            var contextName = parseResult.GetRequiredValue(name);
            var variableName = parseResult.GetRequiredValue(variable);
            var isSecret = parseResult.GetValue(secret);
            var request = new SetVariableRequest(parseResult.GetRequiredValue(value), isSecret);
            await client.SendAsync(HttpMethod.Put, PortholeClient.Path("contexts", contextName, "env", variableName), request, cancellationToken);
            await context.Output.WriteLineAsync($"{(isSecret ? "secret" : "variable")} {variableName} set in context {contextName}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command EnvList(CliContext context)
    {
        var name = Name();
        var json = CommonOptions.Json();
        var command = new Command("list", "List a context's variables (secrets without their values)") { name, json };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            using var client = PortholeClient.FromLogin(context);
            var contextName = parseResult.GetRequiredValue(name);
            var answer = await client.GetAsync(PortholeClient.Path("contexts", contextName, "env"), cancellationToken);
            if (parseResult.GetValue(json))
            {
                await CommonOptions.WriteJsonAsync(context, answer, cancellationToken);
                return ExitCodes.Success;
            }

            var variables = client.Read<List<VariableView>>(answer);
            if (variables.Count == 0)
            {
                await context.Output.WriteLineAsync($"no variables in context {contextName}: set one with {context.CommandName} context env set {contextName} VAR VALUE");
                return ExitCodes.Success;
            }

            var table = new Table("NAME", "KIND", "VALUE");
            foreach (var v in variables)
            {
                table.Add(v.Name, v.Secret ? "secret" : "plain", v.Value ?? "(hidden)");
            }

            table.WriteTo(context.Output);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command EnvUnset(CliContext context)
    {
        var name = Name();
        var variable = new Argument<string>("var") { Description = "The variable's name" };
        var command = new Command("unset", "Remove a context's variable (server admins)") { name, variable };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            using var client = PortholeClient.FromLogin(context);
            var contextName = parseResult.GetRequiredValue(name);
            var variableName = parseResult.GetRequiredValue(variable);
            await client.SendAsync(HttpMethod.Delete, PortholeClient.Path("contexts", contextName, "env", variableName), body: null, cancellationToken);
            await context.Output.WriteLineAsync($"variable {variableName} removed from context {contextName}");
            return ExitCodes.Success;
        });
        return command;
    }
}
