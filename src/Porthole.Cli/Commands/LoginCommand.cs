using System.CommandLine;
using Porthole.Cli.Client;
using Porthole.Contracts.Api;

namespace Porthole.Cli.Commands;

/// <summary><c>porthole login</c>: checks a token against the server, then keeps both in the config file (mode 600).</summary>
internal static class LoginCommand
{
    public static Command Create(CliContext context)
    {
        var server = new Option<string>("--server") { Description = "The server's address, e.g. http://127.0.0.1:8080", Required = true };
        var token = new Option<string>("--token") { Description = "A personal API token", Required = true };
        var command = new Command("login", "Check a token against a server and keep both for later commands") { server, token };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var serverText = parseResult.GetRequiredValue(server);
            if (!ServerAddress.TryParse(serverText, out var address))
            {
                throw CliException.Usage($"--server '{serverText}' is not an http(s) URL such as http://127.0.0.1:8080");
            }

            var tokenText = parseResult.GetRequiredValue(token).Trim();
            if (tokenText.Length == 0)
            {
                throw CliException.Usage("--token is empty");
            }

            using var client = new PortholeClient(address, tokenText);
            var user = client.Read<UserView>(await client.GetAsync(PortholeClient.Path("users", "me"), cancellationToken));

            var (path, ownFolder) = ConfigFile.Locate(context);
            ConfigFile.Save(path, ownFolder, new StoredLogin(address.Display, tokenText));
            await context.Output.WriteLineAsync($"logged in to {address} as {user.Name} (user {user.Id}); saved in {path}");
            return ExitCodes.Success;
        });
        return command;
    }
}
