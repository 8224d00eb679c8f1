namespace Porthole.Execution.Executors;

/// <summary>
/// The executor itself failed (the workspace cannot be created, a step's program is missing on the runner):
/// the node ends as an infrastructure failure rather than a failure of the job.
/// </summary>
public sealed class ExecutorException : Exception
{
    public ExecutorException()
    {
    }

    public ExecutorException(string message)
        : base(message)
    {
    }

    public ExecutorException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
