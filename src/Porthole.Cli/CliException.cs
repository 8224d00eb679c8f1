namespace Porthole.Cli;

/// <summary>A failure the user can act on: its message is printed as one line after <c>error: </c>, with no stack trace.</summary>
public class CliException : Exception
{
    public CliException(string message, int exitCode = ExitCodes.Failed)
        : base(message)
    {
        ExitCode = exitCode;
    }

    public CliException()
        : this("the command failed")
    {
    }

    public CliException(string message, Exception innerException)
        : base(message, innerException)
    {
        ExitCode = ExitCodes.Failed;
    }

    public int ExitCode { get; }

    public static CliException Usage(string message) => new(message, ExitCodes.Usage);
}
