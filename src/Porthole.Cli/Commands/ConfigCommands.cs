using System.CommandLine;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Porthole.Contracts.Plans;
using Porthole.Pipeline;

namespace Porthole.Cli.Commands;

/// <summary>
/// <c>porthole config validate</c> and <c>config process</c>: read a config locally, with no server, and print its plan
/// (validate) or the plain config a CircleCI 2.1 file compiles to (process), or their errors.
/// </summary>
internal static class ConfigCommands
{
    /// <summary>Larger files are refused before they are read: no real CI config comes near it.</summary>
    public const int MaxConfigBytes = 3 * 1024 * 1024;

    private static readonly TextFileRules ConfigFileRules = new(
        MaxConfigBytes,
        "a config file such as .circleci/config.yml or .travis.yml",
        size => $"is {(size is { } s ? $"{s / (1024.0 * 1024.0):0.#} MiB" : "over 3 MiB")}: config files over 3 MiB are refused")
    {
        NotUtf8 = index => $"is not UTF-8 text (invalid byte at {index}); save it as UTF-8",
    };

    public static Command Create(CliContext context)
    {
        var config = new Command("config", "Work with CI config files");
        config.Subcommands.Add(Validate(context));
        config.Subcommands.Add(Process(context));
        return config;
    }

    private static Command Validate(CliContext context)
    {
        var path = new Argument<string>("path") { Description = "A .circleci/config.yml or .travis.yml" };
        var dialect = new Option<string>("--dialect") { Description = "circleci or travis; by default told from the file's name and content" };
        dialect.AcceptOnlyFromAmong("circleci", "travis");
        var json = new Option<bool>("--json") { Description = "Print {\"valid\":..,\"errors\":[..],\"warnings\":[..],\"plan\":..} instead of text" };
        var inputs = new CompileOptions();
        var command = new Command("validate", "Check that Porthole can run a config: print its plan, or each error as file:line:column: message (warnings as file:line:column: warning: message)") { path, dialect, json };
        inputs.AddTo(command);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var file = parseResult.GetRequiredValue(path);
            var text = await ReadConfigAsync(file, cancellationToken);
            var given = inputs.Read(parseResult);
            var chosen = parseResult.GetValue(dialect) switch
            {
                "circleci" => ConfigDialect.CircleCi,
                "travis" => ConfigDialect.Travis,
                _ => (ConfigDialect?)null,
            };

            var result = ConfigReader.Read(file, text, chosen, inputs: given);
            if (parseResult.GetValue(json))
            {
                var output = new JsonObject
                {
                    ["valid"] = result.IsValid,
                    ["errors"] = JsonSerializer.SerializeToNode(result.Errors, PlanJson.Options),
                    ["warnings"] = JsonSerializer.SerializeToNode(result.Warnings, PlanJson.Options),
                    ["plan"] = result.Plan is null ? null : JsonSerializer.SerializeToNode(result.Plan, PlanJson.Options),
                };
                await context.Output.WriteLineAsync(output.ToJsonString(PlanJson.Options));
                return result.IsValid ? ExitCodes.Success : ExitCodes.Failed;
            }

            // A warning never makes a config invalid: it is said on stderr, and the exit code is the plan's.
            foreach (var warning in result.Warnings)
            {
                await context.Error.WriteLineAsync(Output.OneLine.Of($"{warning.File}:{warning.Line}:{warning.Column}: warning: {warning.Message}"));
            }

            if (!result.IsValid || result.Plan is null)
            {
                foreach (var error in result.Errors)
                {
                    await context.Error.WriteLineAsync(Output.OneLine.Of(error.ToString()));
                }

                if (result.Errors.Count == 0)
                {
                    await context.Error.WriteLineAsync($"{file}: no plan and no error came out of this config");
                }

                return ExitCodes.Failed;
            }

            var printed = PlanPrinter.Print(result.Plan);
            await context.Output.WriteAsync(printed);
            if (!printed.EndsWith('\n'))
            {
                await context.Output.WriteLineAsync();
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Process(CliContext context)
    {
        var path = new Argument<string>("path") { Description = "A .circleci/config.yml" };
        var inputs = new CompileOptions();
        var command = new Command("process", "Print the plain config a CircleCI config compiles to: orbs inlined, matrices expanded, parameters resolved (as circleci config process does)") { path };
        inputs.AddTo(command);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var file = parseResult.GetRequiredValue(path);
            var text = await ReadConfigAsync(file, cancellationToken);
            var result = ConfigReader.Process(file, text, inputs.Read(parseResult));
            foreach (var warning in result.Warnings)
            {
                await context.Error.WriteLineAsync(Output.OneLine.Of($"{warning.File}:{warning.Line}:{warning.Column}: warning: {warning.Message}"));
            }

            if (!result.IsValid)
            {
                foreach (var error in result.Errors)
                {
                    await context.Error.WriteLineAsync(Output.OneLine.Of(error.ToString()));
                }

                return ExitCodes.Failed;
            }

            await context.Output.WriteAsync(result.Yaml);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The file's text, refusing a folder, a missing file, a file over <see cref="MaxConfigBytes"/> and bytes that are not UTF-8.</summary>
    public static Task<string> ReadConfigAsync(string path, CancellationToken cancellationToken) =>
        BoundedFile.ReadTextAsync(path, ConfigFileRules, cancellationToken);
}
