using System.CommandLine;
using System.Security.Cryptography;
using System.Text;
using Porthole.Cli.Client;
using Porthole.Contracts.Api;
using Porthole.Server.Projects;

namespace Porthole.Cli.Commands;

/// <summary>
/// <c>porthole encrypt PROJECT [NAME=value | NAME | TEXT]</c>: encrypts a value with the project's key (dialects.md §B12) and
/// prints the line to paste into its <c>.travis.yml</c>, <c>secure: "…"</c>, as <c>travis encrypt</c> does; nothing else goes
/// to standard output and the value is never printed. <c>NAME</c> alone reads the variable's value from standard input, and
/// no value at all reads the whole text to encrypt from it, so that a secret stays out of <c>ps</c> and the shell's history.
/// </summary>
internal static class EncryptCommand
{
    /// <summary>More than this on standard input is refused: no key holds a secure value a thousandth as long.</summary>
    public const int MaxInputChars = 64 * 1024;

    public static Command Create(CliContext context)
    {
        var project = CommonOptions.Project();
        var value = new Argument<string?>("NAME=value")
        {
            Arity = ArgumentArity.ZeroOrOne,
            Description = "An environment variable, as Travis's env entries (the value is a shell word); NAME alone reads its value from "
                + "standard input; other text (a notification token) is encrypted as it is; none: the text to encrypt is read from standard input",
        };
        var command = new Command("encrypt", "Encrypt a value for the project's .travis.yml: prints the secure: \"…\" line to paste") { project, value };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var projectName = parseResult.GetRequiredValue(project);
            var request = EncryptRequest.Parse(parseResult.GetValue(value), context.CommandName, projectName);
            using var client = PortholeClient.FromLogin(context);
            var view = client.Read<ProjectKeyView>(await client.GetAsync(PortholeClient.Path("projects", projectName, "key"), cancellationToken));
            using var key = PublicKey(view);
            var plaintext = request.Text ?? await ReadInputAsync(context, request, cancellationToken);
            var size = Encoding.UTF8.GetByteCount(plaintext);
            if (size > SecureValues.MaxPlaintextBytes(key))
            {
                throw new CliException(
                    $"that is {size} bytes and a secure value holds at most {SecureValues.MaxPlaintextBytes(key)} with project {projectName}'s key; "
                    + $"keep a longer secret in the project's settings instead: {context.CommandName} env set {projectName} NAME VALUE --secret");
            }

            await context.Output.WriteLineAsync($"secure: \"{SecureValues.Encrypt(key, plaintext)}\"");
            return ExitCodes.Success;
        });
        return command;
    }

    private static RSA PublicKey(ProjectKeyView view)
    {
        var key = RSA.Create();
        try
        {
            key.ImportFromPem(view.Key);
            return key;
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new CliException("the server's answer holds no RSA public key (GET /api/projects/NAME/key); is it a Porthole server?");
        }
    }

    /// <summary>The text to encrypt from standard input: all of it, less the line break(s) at its end, which <c>echo</c> adds.</summary>
    private static async Task<string> ReadInputAsync(CliContext context, EncryptRequest request, CancellationToken cancellationToken)
    {
        if (context.InputIsTerminal)
        {
            var what = request.Name is null ? "the text to encrypt" : $"the value of {request.Name}";
            await context.Error.WriteLineAsync($"reading {what} from standard input; end it with Ctrl+D");
        }

        var buffer = new char[MaxInputChars + 1];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await context.Input.ReadBlockAsync(buffer.AsMemory(length), cancellationToken);
            if (read == 0)
            {
                break;
            }

            length += read;
        }

        if (length > MaxInputChars)
        {
            throw new CliException($"standard input is over {MaxInputChars / 1024} KiB: a secure value holds a few hundred bytes at most");
        }

        var text = new string(buffer, 0, length).TrimEnd('\r', '\n');
        Array.Clear(buffer);
        if (text.Length == 0)
        {
            var what = request.Name is null ? "the text to encrypt" : $"the value of {request.Name}";
            throw new CliException($"standard input was empty: give {what} on it, e.g. {context.CommandName} encrypt PROJECT{(request.Name is null ? "" : " " + request.Name)} < FILE");
        }

        return request.Name is null ? text : $"{request.Name}={ShellWord.Quote(text)}";
    }
}

/// <summary>
/// What <c>porthole encrypt</c> was asked to encrypt: <see cref="Text"/> as given, or (when null) what standard input holds,
/// as the value of <see cref="Name"/> when there is one.
/// </summary>
internal sealed record EncryptRequest(string? Text, string? Name)
{
    /// <summary>
    /// <c>NAME=value</c> with a variable name before the first <c>=</c> (else refused, naming only the part before it);
    /// a variable name alone; any other text; or nothing.
    /// </summary>
    public static EncryptRequest Parse(string? argument, string commandName, string project)
    {
        if (argument is null)
        {
            return new EncryptRequest(null, null);
        }

        var equals = argument.IndexOf('=', StringComparison.Ordinal);
        if (equals >= 0)
        {
            var name = argument[..equals];
            if (!IsVariableName(name))
            {
                var shown = name.Length > 40 ? name[..40] + "…" : name;
                throw CliException.Usage(
                    $"'{shown}' is not an environment variable name (letters, digits and _, not starting with a digit): write NAME=value; "
                    + $"to encrypt other text as it is, give it on standard input: {commandName} encrypt {project} < FILE");
            }

            return new EncryptRequest(argument, null);
        }

        return IsVariableName(argument) ? new EncryptRequest(null, argument) : new EncryptRequest(argument, null);
    }

    /// <summary>A shell variable name, as bash's <c>export</c> takes it: <c>[A-Za-z_][A-Za-z0-9_]*</c>.</summary>
    public static bool IsVariableName(string text) =>
        text.Length > 0
        && !char.IsAsciiDigit(text[0])
        && text.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}

/// <summary>
/// A value as one bash word that reads back as exactly the value: as it is when it holds only characters the shell leaves
/// alone, else in single quotes (a <c>'</c> inside written <c>'\''</c>). Travis exports each env entry as written, so a value
/// read from standard input is written so.
/// </summary>
internal static class ShellWord
{
    public static string Quote(string value)
    {
        var plain = value.Length > 0 && value.All(c => char.IsAsciiLetterOrDigit(c) || "_@%+=:,./-".Contains(c, StringComparison.Ordinal));
        return plain ? value : "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }
}
