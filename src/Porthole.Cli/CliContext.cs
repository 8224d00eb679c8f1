namespace Porthole.Cli;

/// <summary>
/// What a run of the CLI reads from and writes to: text output, the raw byte stream that logs are copied to
/// (the same standard output), the environment and the clock. Tests pass their own to capture everything.
/// </summary>
public sealed class CliContext
{
    public CliContext(TextWriter output, TextWriter error, Stream rawOutput, Func<string, string?> environment, TimeProvider? timeProvider = null)
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
    }

    /// <summary>Standard output for text.</summary>
    public TextWriter Output { get; }

    /// <summary>Standard error: one-line reasons only.</summary>
    public TextWriter Error { get; }

    /// <summary>Standard output as bytes, for logs copied as they are (ANSI colour kept). Flush <see cref="Output"/> first.</summary>
    public Stream RawOutput { get; }

    /// <summary>Looks up an environment variable; null when unset.</summary>
    public Func<string, string?> Environment { get; }

    public TimeProvider TimeProvider { get; }

    /// <summary>The real console and the process's environment.</summary>
    public static CliContext FromProcess() =>
        new(Console.Out, Console.Error, Console.OpenStandardOutput(), System.Environment.GetEnvironmentVariable);

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
