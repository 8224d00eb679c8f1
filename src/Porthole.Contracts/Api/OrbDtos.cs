namespace Porthole.Contracts.Api;

// Wire shapes of the server's orb store (§A4, issue 12): registry orbs kept in the data folder. JSON is snake_case (ApiJson).

/// <summary>One orb version in the server's store; <see cref="Reference"/> is <c>ns/name@version</c>, <see cref="Size"/> in bytes.</summary>
public sealed record OrbView(string Namespace, string Name, string Version, string Reference, long Size, DateTimeOffset ImportedAt);

/// <summary>
/// What an import or a fetch did: <see cref="Outcome"/> is <c>created</c>, <c>unchanged</c> (the store held the same
/// source already) or <c>replaced</c> (another source was there, and <c>force</c> was given). <see cref="Requested"/>
/// is the reference as asked for (<c>circleci/node@5</c>), <see cref="Orb"/> the exact version stored.
/// </summary>
public sealed record OrbStored(OrbView Orb, string Outcome, string Requested);

/// <summary>
/// Fetch an orb from CircleCI's public registry into the store: <c>{"reference": "circleci/node@5.2"}</c>; a range
/// (<c>@5</c>, <c>@5.2</c>, <c>@volatile</c>) is stored at the newest published version it matches.
/// </summary>
public sealed record OrbFetchRequest(string? Reference, bool Force = false);

/// <summary>The outcomes of storing an orb, as <see cref="OrbStored.Outcome"/> says them.</summary>
public static class OrbOutcomes
{
    public const string Created = "created";

    public const string Unchanged = "unchanged";

    public const string Replaced = "replaced";
}

/// <summary>The stable <c>code</c>s of the orb store's refusals.</summary>
public static class OrbErrorCodes
{
    /// <summary>The store (or the registry) has no orb version the reference matches.</summary>
    public const string OrbNotFound = "orb_not_found";

    /// <summary>The text is not an orb's source: not UTF-8, not YAML, not a map, or too large.</summary>
    public const string OrbInvalid = "orb_invalid";

    /// <summary>The store holds another source at that exact version; import again with force to replace it.</summary>
    public const string OrbConflict = "orb_conflict";

    /// <summary>The registry could not be reached, or answered with an error or something that is not its format.</summary>
    public const string OrbRegistryFailed = "orb_registry_failed";

    /// <summary>The server could not write the orb into its store (a full disk, a path that is not a folder); nothing was stored.</summary>
    public const string OrbStoreFailed = "orb_store_failed";
}

/// <summary>Headers of the orb store's answers.</summary>
public static class OrbHeaders
{
    /// <summary>On <c>GET /api/orbs/ns/name/version</c>: the exact <c>ns/name@x.y.z</c> the source is (a range resolves to one).</summary>
    public const string Reference = "Porthole-Orb-Reference";
}
