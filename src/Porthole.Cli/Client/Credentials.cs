namespace Porthole.Cli.Client;

/// <summary>Which server to talk to and with which token: <c>PORTHOLE_SERVER</c>/<c>PORTHOLE_TOKEN</c> win over the config file.</summary>
public sealed record Credentials(ServerAddress Server, string Token)
{
    /// <summary>What to run to log in, for the errors that need a login.</summary>
    public static string LoginHint(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return $"run {context.CommandName} login --server URL --token TOKEN";
    }

    public static Credentials Resolve(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var server = NonEmpty(context.Environment("PORTHOLE_SERVER"));
        var token = NonEmpty(context.Environment("PORTHOLE_TOKEN"));
        var source = "PORTHOLE_SERVER";
        if (server is null || token is null)
        {
            var (path, _) = ConfigFile.Locate(context);
            var stored = ConfigFile.Load(path, context);
            var storedServer = NonEmpty(stored?.Server);
            if (server is null)
            {
                server = storedServer;
                source = $"the config file {path}";
            }

            // The stored token belongs to the stored server: it is never sent to another one named by PORTHOLE_SERVER.
            if (token is null && SameServer(server, storedServer))
            {
                token = NonEmpty(stored?.Token);
            }
        }

        if (server is null || token is null)
        {
            throw new CliException($"not logged in: {LoginHint(context)}");
        }

        if (!ServerAddress.TryParse(server, out var address))
        {
            throw new CliException($"the server address '{server}' from {source} is not an http(s) URL: {LoginHint(context)}");
        }

        return new Credentials(address, token);
    }

    /// <summary>Never shows the token, wherever a record gets printed.</summary>
    public override string ToString() => $"Credentials {{ Server = {Server} }}";

    private static bool SameServer(string? a, string? b) =>
        ServerAddress.TryParse(a, out var left) && ServerAddress.TryParse(b, out var right) && left == right;

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
