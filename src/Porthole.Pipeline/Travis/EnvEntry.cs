namespace Porthole.Pipeline.Travis;

/// <summary>The variables of one env string or list, and the text it was written as (for job names and the printer).</summary>
internal sealed record EnvEntry(IReadOnlyList<EnvWord> Words, string Display);
