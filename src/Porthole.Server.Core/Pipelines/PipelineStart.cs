namespace Porthole.Server.Pipelines;

/// <summary>
/// What a pipeline is stored with besides its plan: the id and number it was planned with (the config may read both),
/// where it builds, and what started it.
/// </summary>
/// <param name="Ref">The ref as the trigger named it (a branch or tag name), or null.</param>
/// <param name="DefaultBranch">The repository's default branch when the pipeline is made (Travis's cache fallback), if known.</param>
public sealed record PipelineStart(long Id, int Number, long ProjectId, string? Ref, string Commit, long TriggeredBy, string? DefaultBranch)
{
    public string? Branch { get; init; }

    public string? Tag { get; init; }

    public string TriggerSource { get; init; } = Porthole.Pipeline.TriggerSources.Api;

    public string? ScheduleName { get; init; }

    /// <summary>The commit's message (<c>TRAVIS_COMMIT_MESSAGE</c>); null when the mirror could not read it.</summary>
    public string? CommitMessage { get; init; }

    /// <summary>Triggered with <c>hold_on_failure</c> (R-BEY-1).</summary>
    public bool HoldOnFailure { get; init; }
}

/// <summary>
/// What to build and why, as a trigger asks: a <see cref="Ref"/> (branch or tag), a <see cref="Tag"/>, a
/// <see cref="Commit"/>, or none (the default branch); the pipeline parameters; the source (<c>api</c>, <c>webhook</c>,
/// <c>schedule</c>) and, for a schedule, which one.
/// </summary>
public sealed record TriggerInput
{
    public static TriggerInput Api(string? gitRef, string? commit) => new() { Ref = gitRef, Commit = commit };

    public string? Ref { get; init; }

    /// <summary>A tag name (not <c>refs/tags/…</c>); never with <see cref="Ref"/>.</summary>
    public string? Tag { get; init; }

    /// <summary>A branch name known to be one (the webhook's <c>refs/heads/B</c>, a schedule's branch); never with the others' ref.</summary>
    public string? Branch { get; init; }

    public string? Commit { get; init; }

    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public string Source { get; init; } = Porthole.Pipeline.TriggerSources.Api;

    public string? ScheduleName { get; init; }

    public string? ScheduleId { get; init; }

    /// <summary>Hold a node whose step fails for SSH (R-BEY-1), whatever the project's <c>hold_on_failure</c>.</summary>
    public bool HoldOnFailure { get; init; }
}
