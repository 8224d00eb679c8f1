namespace Porthole.Pipeline;

/// <summary>
/// What a trigger knows about the pipeline it starts, for CircleCI's <c>&lt;&lt; pipeline.* &gt;&gt;</c> values (§A1.6),
/// its pipeline parameters (§A0 step 2), and the branch or tag that workflow filters and schedules are judged against.
/// Every value may be missing: <c>porthole config validate</c> knows none of them. A missing value reads as empty.
/// </summary>
public sealed record PipelineValues
{
    public static PipelineValues None { get; } = new();

    /// <summary>The pipeline's id (a UUID in CircleCI; Porthole's pipeline id here).</summary>
    public string? Id { get; init; }

    public long? Number { get; init; }

    /// <summary>The branch built; null on a tag pipeline (CircleCI leaves <c>pipeline.git.branch</c> empty then).</summary>
    public string? Branch { get; init; }

    /// <summary>The tag built; null on a branch pipeline.</summary>
    public string? Tag { get; init; }

    public string? Revision { get; init; }

    /// <summary>The revision of the branch's previous pipeline; null on its first and on API triggers.</summary>
    public string? BaseRevision { get; init; }

    /// <summary>The project's default branch, for <c>pipeline.git.branch.is_default</c>.</summary>
    public string? DefaultBranch { get; init; }

    public string? GitUrl { get; init; }

    /// <summary><c>github</c>, <c>bitbucket</c>, <c>gitlab</c> or null.</summary>
    public string? ProjectType { get; init; }

    /// <summary>What started the pipeline: <see cref="TriggerSources"/> (<c>api</c>, <c>webhook</c>, <c>schedule</c>); null when not triggered.</summary>
    public string? TriggerSource { get; init; }

    /// <summary>The schedule that triggered the pipeline: the workflow whose <c>triggers: schedule</c> fired.</summary>
    public string? ScheduleName { get; init; }

    public string? ScheduleId { get; init; }

    /// <summary>The commit's message (its subject and body), for Travis's <c>commit_message</c> (§B11); null when unknown.</summary>
    public string? CommitMessage { get; init; }

    /// <summary>Pipeline parameters given at trigger time, by name; each value is text (<c>true</c>, <c>3</c>, <c>main</c>).</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);
}

/// <summary>The values of <see cref="PipelineValues.TriggerSource"/>.</summary>
public static class TriggerSources
{
    public const string Api = "api";

    public const string Webhook = "webhook";

    public const string Schedule = "schedule";
}
