using System.CommandLine;
using System.CommandLine.Invocation;
using Porthole.Cli.Commands;
using Porthole.Cli.Output;
using Porthole.Cli.Ssh;

namespace Porthole.Cli;

/// <summary>The <c>porthole</c> command line, runnable in-process: <c>Program</c> and tests both call <see cref="RunAsync(string[], CliContext, CancellationToken)"/>.</summary>
public static class Cli
{
    /// <summary>Runs one command with the process's environment, writing to the given writers; returns the exit code.</summary>
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var context = new CliContext(stdout, stderr, new TextWriterStream(stdout), Environment.GetEnvironmentVariable);
        return RunAsync(args, context, cancellationToken);
    }

    /// <summary>Runs one command; returns the exit code (0 done, 1 failed, 2 usage error, 130 interrupted).</summary>
    public static Task<int> RunAsync(string[] args, CliContext context, CancellationToken cancellationToken) =>
        RunAsync(args, context, InheritedStdioLauncher.Instance, cancellationToken);

    /// <summary>
    /// Runs one command, starting programs that take over the terminal (<c>porthole ssh</c> and <c>porthole debug</c> start ssh)
    /// through <paramref name="launcher"/>; returns the exit code (that of ssh for <c>porthole ssh</c> and <c>porthole debug</c>).
    /// </summary>
    public static async Task<int> RunAsync(string[] args, CliContext context, IProcessLauncher launcher, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(launcher);
        try
        {
            var root = CreateRootCommand(context, launcher);
            var parseResult = root.Parse(args);
            if (parseResult.Action is ParseErrorAction)
            {
                var command = string.Join(' ', new[] { context.CommandName }.Concat(CommandPath(parseResult)));
                var reasons = parseResult.Errors.Select(e => OneLine.Of(e.Message)).Distinct();
                return Fail(context, $"{string.Join(" ", reasons)} (see '{command} --help')", ExitCodes.Usage);
            }

            var invocation = new InvocationConfiguration
            {
                Output = context.Output,
                Error = context.Error,
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = null,
            };
            var exitCode = await parseResult.InvokeAsync(invocation, cancellationToken);
            await context.Output.FlushAsync(CancellationToken.None);
            return exitCode;
        }
        catch (CliException e)
        {
            return Fail(context, e.Message, e.ExitCode);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Fail(context, "interrupted", ExitCodes.Interrupted);
        }
        catch (IOException e)
        {
            return Fail(context, e.Message, ExitCodes.Failed);
        }
#pragma warning disable CA1031 // The CLI's promise is one line and an exit code, never a stack trace, whatever went wrong.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return Fail(context, $"{e.Message} ({e.GetType().Name})", ExitCodes.Failed);
        }
    }

    public static RootCommand CreateRootCommand(CliContext context) => CreateRootCommand(context, InheritedStdioLauncher.Instance);

    public static RootCommand CreateRootCommand(CliContext context, IProcessLauncher launcher)
    {
        var root = new RootCommand("Porthole: a self-hosted CI service for CircleCI and Travis CI configs, whose jobs can be entered over SSH.");
        root.Subcommands.Add(ServerCommand.Create());
        root.Subcommands.Add(RunnerCommand.Create(context));
        root.Subcommands.Add(LoginCommand.Create(context));
        foreach (var command in ProjectCommands.Create(context))
        {
            root.Subcommands.Add(command);
        }

        foreach (var command in PipelineCommands.Create(context))
        {
            root.Subcommands.Add(command);
        }

        foreach (var command in JobCommands.Create(context))
        {
            root.Subcommands.Add(command);
        }

        root.Subcommands.Add(ApproveCommand.Create(context));
        root.Subcommands.Add(LogsCommand.Create(context));
        root.Subcommands.Add(ArtifactsCommand.Create(context));
        root.Subcommands.Add(RecordingsCommand.Create(context));
        root.Subcommands.Add(TestsCommand.Create(context));
        root.Subcommands.Add(KeysCommands.Create(context));
        root.Subcommands.Add(TokensCommands.Create(context));
        root.Subcommands.Add(RunnerTokenCommands.Create(context));
        root.Subcommands.Add(RunnersCommand.Create(context));
        root.Subcommands.Add(SshCommands.Create(context, launcher));
        root.Subcommands.Add(DebugCommand.Create(context, launcher));
        root.Subcommands.Add(EnvCommands.Create(context));
        root.Subcommands.Add(EncryptCommand.Create(context));
        root.Subcommands.Add(ContextCommands.Create(context));
        root.Subcommands.Add(ConfigCommands.Create(context));
        root.Subcommands.Add(SchedulesCommand.Create(context));
        root.Subcommands.Add(OrbCommands.Create(context));
        return root;
    }

    /// <summary>The names of the subcommands parsed so far, without the root (whose name is the host's, e.g. a test runner's).</summary>
    private static List<string> CommandPath(ParseResult parseResult)
    {
        var names = new List<string>();
        for (var result = parseResult.CommandResult; result.Parent is System.CommandLine.Parsing.CommandResult parent; result = parent)
        {
            names.Add(result.Command.Name);
        }

        names.Reverse();
        return names;
    }

    private static int Fail(CliContext context, string message, int exitCode)
    {
        try
        {
            context.Output.Flush();
        }
        catch (IOException)
        {
            // Standard output may be a closed pipe (`porthole logs 12 | head`); the reason still goes to standard error.
        }

        context.Error.WriteLine($"error: {OneLine.Of(message)}");
        context.Error.Flush();
        return exitCode;
    }
}
