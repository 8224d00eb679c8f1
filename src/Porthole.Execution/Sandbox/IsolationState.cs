namespace Porthole.Execution.Sandbox;

/// <summary>The isolation a runner found at its start (<see cref="IsolationProbe"/>), read by its executor for every node.</summary>
public sealed class IsolationState
{
    private volatile JobIsolation _current = new() { Refusal = "the runner has not finished starting (its sandbox is not checked yet)" };

    public JobIsolation Current => _current;

    public void Set(JobIsolation isolation)
    {
        ArgumentNullException.ThrowIfNull(isolation);
        _current = isolation;
    }
}
