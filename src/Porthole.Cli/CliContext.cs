namespace Porthole.Cli;

/// <summary>
/// What a run of the CLI reads from and writes to: text output, the raw byte stream that logs are copied to
/// (the same standard output), the environment and the clock. Tests pass their own to capture everything.
/// </summary>
public sealed class CliContext
{
    /// <param name="outputIsTerminal">Whether standard output is a terminal; false (redirected) unless the caller knows it is one.</param>
    public CliContext(
        TextWriter output, TextWriter error, Stream rawOutput, Func<string, string?> environment, TimeProvider? timeProvider = null, bool outputIsTerminal = false)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(rawOutput);
        ArgumentNullException.ThrowIfNull(environment);
        Output = output;
        Error = error;
        RawOutput = rawOutput;
        Environment = environment;
        TimeProvider = timeProvider ?? TimeProvider.System;
        OutputIsTerminal = outputIsTerminal;
        CommandName = CliCommandName.Resolve(environment(CliCommandName.Variable), environment("PATH"));
    }

    /// <summary>Standard output for text.</summary>
    public TextWriter Output { get; }

    /// <summary>Standard error: one-line reasons only.</summary>
    public TextWriter Error { get; }

    /// <summary>Standard input, for what must stay off the command line (the secret <c>porthole encrypt</c> encrypts); empty unless given.</summary>
    public TextReader Input { get; init; } = TextReader.Null;

    /// <summary>Whether standard input is a terminal (a command reading it then says so on standard error first).</summary>
    public bool InputIsTerminal { get; init; }

    /// <summary>Standard output as bytes, for logs copied as they are (ANSI colour kept). Flush <see cref="Output"/> first.</summary>
    public Stream RawOutput { get; }

    /// <summary>Looks up an environment variable; null when unset.</summary>
    public Func<string, string?> Environment { get; }

    public TimeProvider TimeProvider { get; }

    /// <summary>Whether standard output is a terminal (so ANSI colour is shown rather than stored as escape codes).</summary>
    public bool OutputIsTerminal { get; }

    /// <summary>
    /// The command that runs this CLI as the user can type it again (<c>./porthole</c>, <c>porthole</c>): every hint that
    /// names a command to run next starts with it. See <see cref="CliCommandName"/>.
    /// </summary>
    public string CommandName { get; init; }

    /// <summary>The real console and the process's environment.</summary>
    public static CliContext FromProcess()
    {
        // Without the wrapper script (which sets the variable), the apphost (bin/…/porthole) run directly is the command.
        var process = System.Environment.ProcessPath;
        var invokedAs = System.Environment.GetEnvironmentVariable(CliCommandName.Variable) is { Length: > 0 } given ? given
            : Path.GetFileName(process) == CliCommandName.Default ? process
            : null;
        return new CliContext(
            Console.Out, Console.Error, Console.OpenStandardOutput(), System.Environment.GetEnvironmentVariable, outputIsTerminal: !Console.IsOutputRedirected)
        {
            CommandName = CliCommandName.Resolve(invokedAs, System.Environment.GetEnvironmentVariable("PATH")),
            Input = Console.In,
            InputIsTerminal = !Console.IsInputRedirected,
        };
    }

    /// <summary>
    /// Writers and an environment of the caller's choosing; raw bytes are decoded as UTF-8 into <paramref name="output"/>.
    /// Variables not in <paramref name="environment"/> are unset (the process's own are not consulted).
    /// </summary>
    public static CliContext Create(TextWriter output, TextWriter error, IReadOnlyDictionary<string, string>? environment = null, TimeProvider? timeProvider = null)
    {
        var variables = environment ?? new Dictionary<string, string>();
        return new CliContext(
            output,
            error,
            new Output.TextWriterStream(output),
            name => variables.TryGetValue(name, out var value) ? value : null,
            timeProvider);
    }
}
