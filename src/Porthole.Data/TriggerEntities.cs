namespace Porthole.Data;

/// <summary>
/// A project's push webhook secret: GitHub signs each delivery's body with it (<c>X-Hub-Signature-256</c>), and that
/// signature is the only authentication the webhook has. Kept as is (an HMAC needs the key itself), never shown again
/// after the answer that made it, never logged.
/// </summary>
public sealed class ProjectHookRecord
{
    public long ProjectId { get; set; }
    public required string Secret { get; set; }

    /// <summary>The member who made (or last rotated) the secret: the pipelines its pushes start are triggered by them.</summary>
    public long CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>
/// A push delivery of GitHub's webhook that started a pipeline, by its <c>X-GitHub-Delivery</c> id (unique in its
/// project): a delivery sent again answers with the same pipeline and starts no other. The row is made before the
/// pipeline, so of two concurrent deliveries of one id only one goes on; a push that starts none leaves no row.
/// </summary>
public sealed class HookDeliveryRecord
{
    public long Id { get; set; }
    public long ProjectId { get; set; }
    public required string DeliveryId { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }

    /// <summary>Null while the delivery is being handled.</summary>
    public long? PipelineId { get; set; }
}

/// <summary>
/// A scheduled workflow of a project's branch (CircleCI's <c>triggers: schedule</c>), as the last successful compile of the
/// branch's head said. <see cref="LastSlot"/> is claimed in the database before a pipeline is triggered for that slot, so a
/// slot fires at most once, across restarts too.
/// </summary>
public sealed class ScheduleRecord
{
    public long Id { get; set; }
    public long ProjectId { get; set; }
    public required string Branch { get; set; }
    public required string Workflow { get; set; }

    /// <summary>Five fields, UTC.</summary>
    public required string Cron { get; set; }

    /// <summary>Slots before this instant are not this schedule's: when it was first stored, or its cron last changed.</summary>
    public DateTimeOffset Since { get; set; }

    /// <summary>Who the scheduled pipelines are triggered by: the trigger of the pipeline whose compile stored the schedule.</summary>
    public long TriggeredBy { get; set; }

    /// <summary>The last slot claimed (and so fired, or tried); slots up to it never fire again.</summary>
    public DateTimeOffset? LastSlot { get; set; }
    public DateTimeOffset? LastRunAt { get; set; }
    public long? LastPipelineId { get; set; }

    /// <summary>Why the last slot made no pipeline (a config error, a branch gone), or null.</summary>
    public string? LastError { get; set; }
}
