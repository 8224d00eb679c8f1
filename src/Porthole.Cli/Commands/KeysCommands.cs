using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using Porthole.Cli.Client;
using Porthole.Contracts.Api;
using Porthole.Cli.Output;
using Porthole.Cli.Ssh;

namespace Porthole.Cli.Commands;

/// <summary><c>porthole keys add|list|rm|import</c>: the SSH public keys of the signed-in user (R-KEY-1, R-KEY-2).</summary>
internal static partial class KeysCommands
{
    public static Command Create(CliContext context)
    {
        var keys = new Command("keys", "Manage your SSH public keys: the keys a job rerun with SSH accepts");
        keys.Subcommands.Add(Add(context));
        keys.Subcommands.Add(List(context));
        keys.Subcommands.Add(Remove(context));
        keys.Subcommands.Add(Import(context));
        return keys;
    }

    private static Command Add(CliContext context)
    {
        var file = new Argument<string>("file") { Description = "A public key file, e.g. ~/.ssh/id_ed25519.pub (never the private key)" };
        var title = new Option<string>("--title") { Description = "A name to tell the key apart, e.g. 'laptop'" };
        var command = new Command("add", "Add an SSH public key to your account") { file, title };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var line = await PublicKeyFile.ReadAsync(parseResult.GetRequiredValue(file), cancellationToken);
            using var client = PortholeClient.FromLogin(context);
            var request = new AddKeyRequest(line, parseResult.GetValue(title) is { Length: > 0 } t ? t : null);
            var key = client.Read<SshKeyView>(await client.SendAsync(HttpMethod.Post, KeysPath, request, cancellationToken));
            await context.Output.WriteLineAsync($"added key {key.Fingerprint} ({Describe(key)})");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List(CliContext context)
    {
        var json = CommonOptions.Json();
        var command = new Command("list", "List your SSH public keys with their SHA256 fingerprints") { json };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            using var client = PortholeClient.FromLogin(context);
            var answer = await client.GetAsync(KeysPath, cancellationToken);
            if (parseResult.GetValue(json))
            {
                await CommonOptions.WriteJsonAsync(context, answer, cancellationToken);
                return ExitCodes.Success;
            }

            var keys = client.Read<List<SshKeyView>>(answer);
            if (keys.Count == 0)
            {
                await context.Output.WriteLineAsync($"no SSH keys yet: add one with {context.CommandName} keys add ~/.ssh/id_ed25519.pub");
                return ExitCodes.Success;
            }

            var table = new Table("FINGERPRINT", "TYPE", "BITS", "TITLE", "COMMENT", "ADDED");
            foreach (var key in keys)
            {
                table.Add(
                    key.Fingerprint,
                    key.Type,
                    key.Bits is { } bits ? bits.ToString(CultureInfo.InvariantCulture) : "-",
                    Format.Text(key.Title),
                    Format.Text(key.Comment),
                    Format.Time(key.CreatedAt));
            }

            table.WriteTo(context.Output);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Remove(CliContext context)
    {
        var fingerprint = new Argument<string>("fingerprint") { Description = "The key's SHA256 fingerprint, as porthole keys list shows it" };
        var command = new Command("rm", "Remove one of your SSH public keys: its open SSH sessions close") { fingerprint };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var value = parseResult.GetRequiredValue(fingerprint).Trim();
            if (!Sha256Fingerprint().IsMatch(value))
            {
                throw CliException.Usage($"'{OneLine.Of(value)}' is not a SHA256 fingerprint such as SHA256:AbC…: copy it from {context.CommandName} keys list");
            }

            using var client = PortholeClient.FromLogin(context);
            await client.SendAsync(HttpMethod.Delete, $"{KeysPath}?fingerprint={Uri.EscapeDataString(value)}", body: null, cancellationToken);
            await context.Output.WriteLineAsync($"removed key {value}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Import(CliContext context)
    {
        var source = new Argument<string>("source") { Description = "github:USER, gitlab:USER or bitbucket:USER: the keys that account lists publicly" };
        var json = CommonOptions.Json();
        var command = new Command("import", "Add the public keys a GitHub, GitLab or Bitbucket account lists") { source, json };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var value = parseResult.GetRequiredValue(source).Trim();
            if (!ImportSource().IsMatch(value))
            {
                throw CliException.Usage($"'{OneLine.Of(value)}' is not a key source: use github:USER, gitlab:USER or bitbucket:USER");
            }

            using var client = PortholeClient.FromLogin(context);
            var answer = await client.SendAsync(HttpMethod.Post, KeysPath + "/import", new ImportKeysRequest(value), cancellationToken);
            if (parseResult.GetValue(json))
            {
                await CommonOptions.WriteJsonAsync(context, answer, cancellationToken);
                return ExitCodes.Success;
            }

            var result = client.Read<ImportKeysResult>(answer);
            foreach (var key in result.Added)
            {
                await context.Output.WriteLineAsync($"added   {key.Fingerprint} ({Describe(key)})");
            }

            foreach (var skipped in result.Skipped)
            {
                var what = string.IsNullOrEmpty(skipped.Fingerprint) ? $"\"{OneLine.Of(skipped.Line)}\"" : skipped.Fingerprint;
                await context.Output.WriteLineAsync($"skipped {what}: {OneLine.Of(skipped.Reason)}");
            }

            await context.Output.WriteLineAsync(result.Added.Count + result.Skipped.Count == 0
                ? $"{value} lists no public keys"
                : $"{result.Added.Count} added, {result.Skipped.Count} skipped from {value}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static string KeysPath => PortholeClient.Path("users", "me", "keys");

    private static string Describe(SshKeyView key)
    {
        var parts = new List<string> { key.Bits is { } bits ? $"{key.Type} {bits.ToString(CultureInfo.InvariantCulture)}" : key.Type };
        if (!string.IsNullOrWhiteSpace(key.Comment))
        {
            parts.Add(OneLine.Of(key.Comment));
        }

        if (!string.IsNullOrWhiteSpace(key.Title))
        {
            parts.Add($"title {OneLine.Of(key.Title)}");
        }

        return string.Join(", ", parts);
    }

    [GeneratedRegex("^SHA256:[A-Za-z0-9+/]{43}=?$")]
    private static partial Regex Sha256Fingerprint();

    [GeneratedRegex("^(github|gitlab|bitbucket):[A-Za-z0-9](?:[A-Za-z0-9._-]{0,98})$")]
    private static partial Regex ImportSource();
}
