using Porthole.Contracts.Runners;

namespace Porthole.Execution;

/// <summary>
/// Where a <see cref="NodeRunner"/> sends what a node produces. Calls never overlap: the runner waits for one
/// to finish before making the next, so an implementation needs no locking of its own. Every call is made with
/// <see cref="CancellationToken.None"/> so that the last lines and the final step states still arrive after a
/// cancel; an implementation must therefore not block indefinitely. An exception from either method means the
/// node's log can no longer be delivered: the node stops and ends as <see cref="NodeResult.InfrastructureFail"/>,
/// so an implementation retries transient failures itself (spooling, as the runner does).
/// </summary>
public interface INodeReporter
{
    /// <summary>
    /// Masked log bytes, in order, exactly once each. The caller (the runner) spools and uploads them by offset.
    /// The memory is only valid until the returned task completes: copy what you keep.
    /// </summary>
    ValueTask WriteLogAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct);

    /// <summary>
    /// A step starting (State Running) or ending; LogStart/LogEnd are byte offsets in the node's log
    /// (what has been passed to <see cref="WriteLogAsync"/>).
    /// </summary>
    ValueTask StepChangedAsync(StepReport report, CancellationToken ct);
}
