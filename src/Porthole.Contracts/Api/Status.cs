namespace Porthole.Contracts.Api;

/// <summary>
/// The statuses of R-CI-6 as the API spells them, plus the two a workflow needs:
/// <c>blocked</c> (waiting for its <c>requires</c>) and <c>not_run</c> (a job whose requirement failed).
/// </summary>
public static class Status
{
    public const string Blocked = "blocked";
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Success = "success";
    public const string Failed = "failed";
    public const string Canceled = "canceled";
    public const string TimedOut = "timedout";
    public const string InfrastructureFail = "infrastructure_fail";
    public const string NotRun = "not_run";

    public static bool IsFinished(string status) => status is Success or Failed or Canceled or TimedOut or InfrastructureFail or NotRun;
}
