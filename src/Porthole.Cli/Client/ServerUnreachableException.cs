namespace Porthole.Cli.Client;

/// <summary>No HTTP answer came back: refused, reset, name not found, timed out.</summary>
public sealed class ServerUnreachableException : CliException
{
    public ServerUnreachableException(string server, string reason, Exception? innerException = null)
        : base($"cannot reach the server at {server}: {reason}", innerException ?? new InvalidOperationException(reason))
    {
    }

    public ServerUnreachableException()
        : base("cannot reach the server")
    {
    }

    public ServerUnreachableException(string message)
        : base(message)
    {
    }

    public ServerUnreachableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
