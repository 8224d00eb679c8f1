namespace Porthole.Pipeline.Travis.Conditions;

/// <summary>
/// What a condition can read about one request/job (§B11 "Data"): the trigger's attributes, and <c>os</c>,
/// <c>dist</c>, <c>group</c>, <c>sudo</c>, <c>language</c> from the job's config (the root config for stages and
/// the build). Null means absent (<c>IS blank</c>). Strings "true"/"false" are cast to booleans when compared.
/// </summary>
internal sealed record ConditionData
{
    private static readonly IReadOnlyDictionary<string, string> NoVariables = new Dictionary<string, string>();

    /// <summary><c>push</c>, <c>pull_request</c>, <c>api</c> or <c>cron</c>.</summary>
    public string? Type { get; init; }

    /// <summary><c>owner/name</c>.</summary>
    public string? Repo { get; init; }

    /// <summary>The branch; on pull requests the target branch, on tag builds the tag name.</summary>
    public string? Branch { get; init; }

    public string? Tag { get; init; }

    public string? CommitMessage { get; init; }

    /// <summary>The login of whoever triggered the request.</summary>
    public string? Sender { get; init; }

    public bool? Fork { get; init; }

    public string? HeadRepo { get; init; }

    public string? HeadBranch { get; init; }

    public bool? Draft { get; init; }

    public string? Os { get; init; }

    public string? Dist { get; init; }

    public string? Group { get; init; }

    public string? Sudo { get; init; }

    public string? Language { get; init; }

    /// <summary>
    /// What <c>env(NAME)</c> reads: every variable the config defines (<c>env.global</c> and the job's env,
    /// flattened) and the project's. One pair of quotes around a value is removed when it is read.
    /// </summary>
    public IReadOnlyDictionary<string, string> Env { get; init; } = NoVariables;
}
