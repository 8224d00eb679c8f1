using System.CommandLine;
using System.Globalization;
using System.Text;
using Porthole.Cli.Client;
using Porthole.Cli.Output;
using Porthole.Contracts.Api;

namespace Porthole.Cli.Commands;

/// <summary>
/// <c>porthole project ssh-key add|list|delete</c>: a project's additional SSH keys, the private keys its jobs' <c>add_ssh_keys</c>
/// steps install (dialects.md §A5). Members with write access manage them; a key is never shown again, only its fingerprints.
/// </summary>
internal static class ProjectSshKeysCommand
{
    /// <summary>Larger files are refused unread: an OpenSSH private key, even RSA of 16384 bits, is about 12 KiB.</summary>
    public const int MaxBytes = 16 * 1024;

    public static Command Create(CliContext context)
    {
        var command = new Command("ssh-key", "Manage a project's additional SSH keys: the private keys its jobs' add_ssh_keys steps install");
        command.Subcommands.Add(Add(context));
        command.Subcommands.Add(List(context));
        command.Subcommands.Add(Delete(context));
        return command;
    }

    private static Command Add(CliContext context)
    {
        var project = CommonOptions.Project();
        var file = new Argument<string>("file") { Description = "The private key file, without a passphrase (e.g. a deploy key made with ssh-keygen -t ed25519 -N '')" };
        var host = new Option<string>("--host") { Description = "The host the key is for (an ssh_config Host pattern); default every host", HelpName = "host" };
        var command = new Command("add", "Add a private key to the project's additional SSH keys") { project, file, host };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var projectName = parseResult.GetRequiredValue(project);
            var text = await ReadKeyFileAsync(parseResult.GetRequiredValue(file), cancellationToken);
            using var client = PortholeClient.FromLogin(context);
            var request = new AddProjectSshKeyRequest(text, parseResult.GetValue(host) is { Length: > 0 } h ? h : null);
            var key = client.Read<ProjectSshKeyView>(
                await client.SendAsync(HttpMethod.Post, PortholeClient.Path("projects", projectName, "ssh-keys"), request, cancellationToken));
            await context.Output.WriteLineAsync(
                $"added SSH key {key.Sha256} (MD5:{key.Md5}, {key.Type} {key.Bits.ToString(CultureInfo.InvariantCulture)}) to project {projectName}, for {key.Host ?? "every host"}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List(CliContext context)
    {
        var project = CommonOptions.Project();
        var json = CommonOptions.Json();
        var command = new Command("list", "List the project's additional SSH keys by their fingerprints (MD5 and SHA256)") { project, json };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var projectName = parseResult.GetRequiredValue(project);
            using var client = PortholeClient.FromLogin(context);
            var answer = await client.GetAsync(PortholeClient.Path("projects", projectName, "ssh-keys"), cancellationToken);
            if (parseResult.GetValue(json))
            {
                await CommonOptions.WriteJsonAsync(context, answer, cancellationToken);
                return ExitCodes.Success;
            }

            var keys = client.Read<List<ProjectSshKeyView>>(answer);
            if (keys.Count == 0)
            {
                await context.Output.WriteLineAsync($"no SSH keys in project {projectName}: add one with {context.CommandName} project ssh-key add {projectName} FILE");
                return ExitCodes.Success;
            }

            var table = new Table("MD5", "SHA256", "TYPE", "HOST", "ADDED");
            foreach (var key in keys)
            {
                table.Add(key.Md5, key.Sha256, $"{key.Type} {key.Bits.ToString(CultureInfo.InvariantCulture)}", key.Host ?? "*", Format.Time(key.CreatedAt));
            }

            table.WriteTo(context.Output);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Delete(CliContext context)
    {
        var project = CommonOptions.Project();
        var fingerprint = new Argument<string>("fingerprint") { Description = "The key's fingerprint, MD5 (aa:bb:…) or SHA256 (SHA256:…), as the list shows it" };
        var command = new Command("delete", "Delete one of the project's additional SSH keys") { project, fingerprint };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var projectName = parseResult.GetRequiredValue(project);
            var value = parseResult.GetRequiredValue(fingerprint).Trim();
            if (value.Length == 0)
            {
                throw CliException.Usage($"give the key's fingerprint, as {context.CommandName} project ssh-key list {projectName} shows it");
            }

            using var client = PortholeClient.FromLogin(context);
            await client.SendAsync(
                HttpMethod.Delete, $"{PortholeClient.Path("projects", projectName, "ssh-keys")}?fingerprint={Uri.EscapeDataString(value)}", body: null, cancellationToken);
            await context.Output.WriteLineAsync($"deleted SSH key {value} from project {projectName}");
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The key file's text; a folder, a missing file, one over 16 KiB or a public key is refused before anything is sent.</summary>
    private static async Task<string> ReadKeyFileAsync(string path, CancellationToken cancellationToken)
    {
        var text = await BoundedFile.ReadTextAsync(path, new TextFileRules(MaxBytes, "a private key file", _ => "is over 16 KiB: that is not an SSH private key"), cancellationToken);
        var start = text.TrimStart();
        if (start.StartsWith("ssh-", StringComparison.Ordinal) || start.StartsWith("ecdsa-", StringComparison.Ordinal) || start.StartsWith("sk-", StringComparison.Ordinal))
        {
            var privatePath = path.EndsWith(".pub", StringComparison.Ordinal) ? path[..^4] : "the private key file";
            throw new CliException($"{path} is a public key: pass {privatePath} (the project's jobs need the private key)");
        }

        return text;
    }
}
