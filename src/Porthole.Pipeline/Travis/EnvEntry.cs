using Porthole.Contracts.Plans;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.Travis;

/// <summary>
/// The variables of one env string or list, and the text it was written as (for job names and the printer).
/// <see cref="At"/> is the entry's node when it is one entry of the config (a build matrix entry makes a job there).
/// </summary>
internal sealed record EnvEntry(IReadOnlyList<EnvWord> Words, string Display, Node? At = null)
{
    /// <summary>The <c>{secure: "…"}</c> entries among them (§B12), in order; each is shown as <c>[secure]</c>.</summary>
    public IReadOnlyList<SecureValuePlan> Secure { get; init; } = [];
}
