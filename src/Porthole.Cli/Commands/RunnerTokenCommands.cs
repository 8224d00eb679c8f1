using System.CommandLine;
using System.Text.RegularExpressions;
using Porthole.Cli.Client;
using Porthole.Cli.Output;
using Porthole.Contracts.Api;

namespace Porthole.Cli.Commands;

/// <summary><c>porthole runner-token create|list|revoke</c>: an administrator's runner tokens, what remote runners sign in with (issue 14).</summary>
internal static partial class RunnerTokenCommands
{
    public static Command Create(CliContext context)
    {
        var command = new Command("runner-token", "Manage runner tokens (administrators): the secrets remote runners register with");
        command.Subcommands.Add(New(context));
        command.Subcommands.Add(List(context));
        command.Subcommands.Add(Revoke(context));
        return command;
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    private static Command New(CliContext context)
    {
        var name = TokenName("Which runner uses it, e.g. 'build-host-1' (unique)");
        var json = CommonOptions.Json();
        var command = new Command("create", "Create a runner token; it is printed this once, alone on standard output") { name, json };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            using var client = PortholeClient.FromLogin(context);
            var answer = await client.SendAsync(HttpMethod.Post, TokensPath, new CreateRunnerTokenRequest(parseResult.GetRequiredValue(name)), cancellationToken);
            if (parseResult.GetValue(json))
            {
                await CommonOptions.WriteJsonAsync(context, answer, cancellationToken);
                return ExitCodes.Success;
            }

            // The token alone on standard output, so that T=$(porthole runner-token create host1) keeps it; the note goes to standard error.
            var created = client.Read<CreatedRunnerToken>(answer);
            await context.Output.WriteLineAsync(created.Token);
            await context.Error.WriteLineAsync(
                $"created runner token {OneLine.Of(created.Name)}: this is the only time it is shown; give it to the runner (porthole runner --token …) and keep it nowhere else");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List(CliContext context)
    {
        var json = CommonOptions.Json();
        var command = new Command("list", "List the runner tokens (never the tokens themselves): who made each, when it was last used, whether it is revoked") { json };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            using var client = PortholeClient.FromLogin(context);
            var answer = await client.GetAsync(TokensPath, cancellationToken);
            if (parseResult.GetValue(json))
            {
                await CommonOptions.WriteJsonAsync(context, answer, cancellationToken);
                return ExitCodes.Success;
            }

            var tokens = client.Read<List<RunnerTokenView>>(answer);
            if (tokens.Count == 0)
            {
                await context.Output.WriteLineAsync($"no runner tokens: create one with {context.CommandName} runner-token create NAME");
                return ExitCodes.Success;
            }

            var table = new Table("NAME", "CREATED", "CREATED BY", "LAST USED", "REVOKED");
            foreach (var token in tokens)
            {
                table.Add(Format.Text(token.Name), Format.Time(token.CreatedAt), Format.Text(token.CreatedBy), Format.Time(token.LastUsedAt), Format.Time(token.RevokedAt));
            }

            table.WriteTo(context.Output);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Revoke(CliContext context)
    {
        var name = TokenName("The runner token's name, as runner-token list shows it (never the token itself)");
        var command = new Command("revoke", "Revoke a runner token: runners using it are refused from now on") { name };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var tokenName = parseResult.GetRequiredValue(name);
            using var client = PortholeClient.FromLogin(context);
            await client.SendAsync(HttpMethod.Delete, PortholeClient.Path("runner-tokens", tokenName), body: null, cancellationToken);
            await context.Output.WriteLineAsync($"revoked runner token {tokenName}");
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>A runner token's name; what is not one is never echoed, since it may be a token pasted by mistake.</summary>
    private static Argument<string> TokenName(string description)
    {
        var argument = new Argument<string>("name") { Description = description };
        argument.Validators.Add(result =>
        {
            var value = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (!NamePattern().IsMatch(value))
            {
                result.AddError("a runner token's name is letters, digits, '.', '_' and '-' (at most 64), starting with a letter or digit");
            }
        });
        return argument;
    }

    private static string TokensPath => PortholeClient.Path("runner-tokens");
}
