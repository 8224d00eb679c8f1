namespace Porthole.Contracts.Api;

// Wire shapes of how pipelines start besides POST /api/projects/{name}/pipelines: the GitHub push webhook and its
// secret, and CircleCI's scheduled workflows (issue 12, dialects.md §A6).

/// <summary>
/// A project's push webhook: the address GitHub posts to (<see cref="Url"/>, made from the request's own address;
/// <see cref="Path"/> is the same without the server) and whether its secret exists. <see cref="Secret"/> is set only in
/// the answer that made it: the server never shows it again.
/// </summary>
public sealed record HookView(
    string Project,
    string Path,
    string Url,
    bool HasSecret,
    DateTimeOffset? SecretCreatedAt,
    string? SecretCreatedBy,
    string? Secret = null);

/// <summary>Make the hook's secret if the project has none, or with <see cref="Rotate"/> replace it (the old one stops working).</summary>
public sealed record CreateHookRequest(bool? Rotate);

/// <summary>
/// What the webhook did with one delivery (<see cref="Delivery"/> is GitHub's <c>X-GitHub-Delivery</c>):
/// <see cref="Outcome"/> is one of <see cref="HookOutcomes"/>, and for a push that started one, the pipeline.
/// </summary>
public sealed record HookDeliveryView(
    string Delivery,
    string Event,
    string Outcome,
    string Detail,
    long? PipelineId = null,
    int? PipelineNumber = null);

/// <summary>The values of <see cref="HookDeliveryView.Outcome"/>.</summary>
public static class HookOutcomes
{
    /// <summary>The push started a pipeline (201), or did earlier: a delivery id seen before answers 200 with that pipeline.</summary>
    public const string Triggered = "triggered";

    /// <summary>GitHub's <c>ping</c>, sent when the hook is made.</summary>
    public const string Pong = "pong";

    /// <summary>Accepted and left alone (202): an event other than <c>push</c>, or a deleted branch or tag.</summary>
    public const string Ignored = "ignored";
}

/// <summary>
/// A scheduled workflow of a project's branch (CircleCI's <c>triggers: schedule</c>), as the branch's newest config says:
/// the five-field <see cref="Cron"/> is in UTC; <see cref="NextRunAt"/> the next slot; the last slot that fired, when,
/// and the pipeline it made (or why it made none: <see cref="LastError"/>).
/// </summary>
public sealed record ScheduleView(
    string Workflow,
    string Cron,
    string Branch,
    DateTimeOffset? NextRunAt,
    DateTimeOffset? LastRunAt,
    long? LastPipelineId,
    int? LastPipelineNumber,
    string? LastError);

/// <summary>The error codes of the webhook (ProblemDetails' <c>code</c>), beside <see cref="ErrorCodes"/>.</summary>
public static class HookErrorCodes
{
    /// <summary>401: no <c>X-Hub-Signature-256</c>, one that does not verify, or a project without a hook secret.</summary>
    public const string SignatureInvalid = "signature_invalid";

    /// <summary>413: a body over the webhook's limit.</summary>
    public const string PayloadTooLarge = "payload_too_large";

    /// <summary>422: a push for another repository than the project's.</summary>
    public const string WrongRepository = "wrong_repository";

    /// <summary>409: the same delivery id is being handled right now; ask again in a moment.</summary>
    public const string DeliveryInProgress = "delivery_in_progress";
}
