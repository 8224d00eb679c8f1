namespace Porthole.Execution.Steps;

/// <summary>Why a node stops running steps before their end.</summary>
internal enum StopReason
{
    None,
    Canceled,
    JobTimeCap,
    LogFailed,
}
