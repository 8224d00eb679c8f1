namespace Porthole.Contracts.Api;

/// <summary>
/// The statuses of R-CI-6 as the API spells them, plus those a workflow needs: <c>blocked</c> (waiting for its
/// <c>requires</c>), <c>not_run</c> (a job whose requirement failed) and <c>on_hold</c> (CircleCI's word: an approval job
/// whose requirements are met, waiting for a person; a workflow or pipeline with nothing else to do but wait for one).
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
    public const string OnHold = "on_hold";

    public static bool IsFinished(string status) => status is Success or Failed or Canceled or TimedOut or InfrastructureFail or NotRun;
}
