using System.CommandLine;
using System.Globalization;
using Porthole.Cli.Client;
using Porthole.Cli.Output;
using Porthole.Contracts.Api;

namespace Porthole.Cli.Commands;

/// <summary><c>porthole tokens list|create|revoke</c>: the signed-in user's personal API tokens (R-AC-1).</summary>
internal static class TokensCommands
{
    public static Command Create(CliContext context)
    {
        var tokens = new Command("tokens", "Manage your personal API tokens: the secrets the CLI, scripts and curl sign in with");
        tokens.Subcommands.Add(List(context));
        tokens.Subcommands.Add(New(context));
        tokens.Subcommands.Add(Revoke(context));
        return tokens;
    }

    private static Command List(CliContext context)
    {
        var json = CommonOptions.Json();
        var command = new Command("list", "List your tokens (never their secrets) with when each was last used") { json };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            using var client = PortholeClient.FromLogin(context);
            var answer = await client.GetAsync(TokensPath, cancellationToken);
            if (parseResult.GetValue(json))
            {
                await CommonOptions.WriteJsonAsync(context, answer, cancellationToken);
                return ExitCodes.Success;
            }

            var tokens = client.Read<List<TokenView>>(answer);
            if (tokens.Count == 0)
            {
                await context.Output.WriteLineAsync($"no tokens: create one with {context.CommandName} tokens create NAME");
                return ExitCodes.Success;
            }

            var table = new Table("ID", "NAME", "CREATED", "LAST USED", "CURRENT");
            foreach (var token in tokens)
            {
                table.Add(
                    token.Id.ToString(CultureInfo.InvariantCulture),
                    Format.Text(token.Name),
                    Format.Time(token.CreatedAt),
                    Format.Time(token.LastUsedAt),
                    token.Current ? "yes" : "-");
            }

            table.WriteTo(context.Output);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command New(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "What the token is for, e.g. 'laptop' or 'deploy-script' (unique among your tokens)" };
        var json = CommonOptions.Json();
        var command = new Command("create", "Create a token; its secret is printed this once, alone on standard output") { name, json };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            using var client = PortholeClient.FromLogin(context);
            var answer = await client.SendAsync(HttpMethod.Post, TokensPath, new CreateTokenRequest(parseResult.GetRequiredValue(name)), cancellationToken);
            if (parseResult.GetValue(json))
            {
                await CommonOptions.WriteJsonAsync(context, answer, cancellationToken);
                return ExitCodes.Success;
            }

            // The secret alone on standard output, so that T=$(porthole tokens create ci) keeps it; the note goes to standard error.
            var created = client.Read<CreatedToken>(answer);
            await context.Output.WriteLineAsync(created.Token);
            await context.Error.WriteLineAsync(
                $"created token {created.Id.ToString(CultureInfo.InvariantCulture)} ({OneLine.Of(created.Name)}): this is the only time its secret is shown; keep it somewhere safe");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Revoke(CliContext context)
    {
        var id = TokenId(context);
        var command = new Command("revoke", "Revoke one of your tokens: it stops working at once") { id };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var tokenId = parseResult.GetRequiredValue(id).ToString(CultureInfo.InvariantCulture);
            using var client = PortholeClient.FromLogin(context);
            var answer = await client.SendAsync(HttpMethod.Delete, PortholeClient.Path("users", "me", "tokens", tokenId), body: null, cancellationToken);
            if (string.IsNullOrWhiteSpace(answer))
            {
                await context.Output.WriteLineAsync($"revoked token {tokenId}");
                return ExitCodes.Success;
            }

            // 200 instead of 204: it was the token this porthole is logged in with.
            var revoked = client.Read<RevokedToken>(answer);
            await context.Output.WriteLineAsync($"revoked token {tokenId} ({OneLine.Of(revoked.Name)}), the token this porthole is logged in with");
            await context.Output.WriteLineAsync(revoked.Remaining == 0
                ? "it was your last token: nothing can sign in as you any more"
                : $"log in again with another of your tokens: {context.CommandName} login --server URL --token TOKEN");
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>A token's id; what is not one is never echoed, since it may be the token's secret pasted by mistake.</summary>
    private static Argument<long> TokenId(CliContext context) => new("id")
    {
        Description = "The token's id, as the ID column of porthole tokens list shows it (never its secret)",
        CustomParser = result =>
        {
            var token = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (long.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0)
            {
                return id;
            }

            result.AddError($"that is not a token id: use the ID column of {context.CommandName} tokens list (a whole number, never the token's secret)");
            return 0;
        },
    };

    private static string TokensPath => PortholeClient.Path("users", "me", "tokens");
}
