using System.CommandLine;
using System.Text;
using Porthole.Cli.Client;
using Porthole.Cli.Output;
using Porthole.Contracts.Api;
using Porthole.Pipeline.Orbs;

namespace Porthole.Cli.Commands;

/// <summary>
/// <c>porthole orb import|fetch|list|source</c>: the server's orb store, where configs' registry orbs (<c>ns/name@version</c>)
/// come from (§A4). Importing and fetching take a server administrator.
/// </summary>
internal static class OrbCommands
{
    private static readonly TextFileRules OrbFileRules = new(OrbSourceText.MaxBytes, "the orb's YAML file", _ => $"is over {OrbSourceText.MaxBytesText}, more than an orb's source may be")
    {
        NotUtf8 = _ => "is not UTF-8 text, so it is not an orb's YAML source",
    };

    public static Command Create(CliContext context)
    {
        var orb = new Command("orb", "Manage the server's orb store: the registry orbs (ns/name@version) configs import");
        orb.Subcommands.Add(Import(context));
        orb.Subcommands.Add(Fetch(context));
        orb.Subcommands.Add(List(context));
        orb.Subcommands.Add(Source(context));
        return orb;
    }

    private static Command Import(CliContext context)
    {
        var file = new Argument<string>("file") { Description = "The orb's packaged YAML, as 'circleci orb source ns/name@x.y.z' prints it" };
        var reference = Reference("The exact version the file is, e.g. circleci/node@5.2.0");
        var force = new Option<bool>("--force") { Description = "Replace the stored source of that version if it differs" };
        var command = new Command("import", "Add an orb version to the server's orb store from a file") { file, reference, force };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var orb = ParseReference(parseResult.GetRequiredValue(reference));
            if (!orb.IsExact)
            {
                throw CliException.Usage($"an orb is imported at the exact version the file is: {orb.Namespace}/{orb.Name}@X.Y.Z, not @{orb.Version}");
            }

            var path = parseResult.GetRequiredValue(file);
            var text = await ReadSourceAsync(path, cancellationToken);
            using var client = PortholeClient.FromLogin(context);
            var answer = await client.SendTextAsync(
                HttpMethod.Put, OrbPath(orb) + (parseResult.GetValue(force) ? "?force=true" : ""), text, "application/yaml", cancellationToken);
            await context.Output.WriteLineAsync(Said(client.Read<OrbStored>(answer), "imported"));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Fetch(CliContext context)
    {
        var reference = Reference("The orb: ns/name@x.y.z, or a range (@x.y, @x, @volatile) for its newest published version that matches");
        var force = new Option<bool>("--force") { Description = "Replace the stored source of that version if it differs" };
        var command = new Command("fetch", "Add an orb version to the server's orb store from CircleCI's public orb registry (the server must reach it)")
        {
            reference, force,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var orb = ParseReference(parseResult.GetRequiredValue(reference));
            using var client = PortholeClient.FromLogin(context);
            var answer = await client.SendAsync(
                HttpMethod.Post, PortholeClient.Path("orbs", "fetch"), new OrbFetchRequest(orb.ToString(), parseResult.GetValue(force)), cancellationToken);
            var stored = client.Read<OrbStored>(answer);
            var resolved = stored.Requested == stored.Orb.Reference ? "" : $" (newest for @{orb.Version})";
            await context.Output.WriteLineAsync(Said(stored, "fetched") + resolved);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List(CliContext context)
    {
        var json = CommonOptions.Json();
        var command = new Command("list", "List the orb versions in the server's orb store") { json };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            using var client = PortholeClient.FromLogin(context);
            var answer = await client.GetAsync(PortholeClient.Path("orbs"), cancellationToken);
            if (parseResult.GetValue(json))
            {
                await CommonOptions.WriteJsonAsync(context, answer, cancellationToken);
                return ExitCodes.Success;
            }

            var orbs = client.Read<List<OrbView>>(answer);
            if (orbs.Count == 0)
            {
                await context.Output.WriteLineAsync(
                    $"the orb store is empty: add orbs with {context.CommandName} orb fetch ns/name@x.y.z or {context.CommandName} orb import FILE ns/name@x.y.z");
                return ExitCodes.Success;
            }

            var table = new Table("ORB", "VERSION", "SIZE", "IMPORTED");
            foreach (var orb in orbs)
            {
                table.Add($"{orb.Namespace}/{orb.Name}", orb.Version, Format.Size(orb.Size), Format.Time(orb.ImportedAt));
            }

            table.WriteTo(context.Output);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Source(CliContext context)
    {
        var reference = Reference("The orb: ns/name@x.y.z, or a range (@x.y, @x, @volatile) for the newest stored version that matches");
        var command = new Command("source", "Print the YAML source of an orb version in the server's orb store") { reference };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var orb = ParseReference(parseResult.GetRequiredValue(reference));
            using var client = PortholeClient.FromLogin(context);
            var text = await client.GetAsync(OrbPath(orb), cancellationToken);
            await context.Output.WriteAsync(text.AsMemory(), cancellationToken);
            if (!text.EndsWith('\n'))
            {
                await context.Output.WriteLineAsync();
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Argument<string> Reference(string description) => new("reference") { Description = description, HelpName = "ns/name@version" };

    private static OrbReference ParseReference(string text) =>
        OrbReference.TryParse(text.Trim(), out var reference, out var problem) ? reference : throw CliException.Usage(problem);

    private static string OrbPath(OrbReference orb) => PortholeClient.Path("orbs", orb.Namespace, orb.Name, orb.Version);

    private static string Said(OrbStored stored, string verb) => stored.Outcome switch
    {
        OrbOutcomes.Unchanged => $"{stored.Orb.Reference} is already in the orb store with this source ({Format.Size(stored.Orb.Size)})",
        OrbOutcomes.Replaced => $"{verb} {stored.Orb.Reference} ({Format.Size(stored.Orb.Size)}), replacing the source stored before",
        _ => $"{verb} {stored.Orb.Reference} ({Format.Size(stored.Orb.Size)})",
    };

    /// <summary>The file's text, checked here as the server will check it, so a mistake names the file's own line and column.</summary>
    private static async Task<string> ReadSourceAsync(string path, CancellationToken cancellationToken)
    {
        var text = await BoundedFile.ReadTextAsync(path, OrbFileRules, cancellationToken);
        if (OrbSourceText.Check(path, text) is { } problem)
        {
            throw new CliException($"{problem} (that is not an orb's source)");
        }

        return text;
    }
}
