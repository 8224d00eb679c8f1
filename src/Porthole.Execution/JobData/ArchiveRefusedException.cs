namespace Porthole.Execution.JobData;

/// <summary>
/// An archive that <see cref="ArchiveGuard"/> will not pass on: an entry that would be written outside its folder (an
/// absolute or <c>..</c> path, a path through a link the archive made, a link leaving the allowed roots), a device, or
/// data that is not a tar. The message names the entry and the reason.
/// </summary>
public sealed class ArchiveRefusedException : Exception
{
    public ArchiveRefusedException()
    {
    }

    public ArchiveRefusedException(string message)
        : base(message)
    {
    }

    public ArchiveRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
