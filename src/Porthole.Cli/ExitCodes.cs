namespace Porthole.Cli;

public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The operation failed: the server refused it, it could not be reached, the job failed, the config is invalid.</summary>
    public const int Failed = 1;

    /// <summary>The command line itself is wrong.</summary>
    public const int Usage = 2;

    /// <summary>Stopped by Ctrl+C (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;
}
