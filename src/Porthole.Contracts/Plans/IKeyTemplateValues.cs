namespace Porthole.Contracts.Plans;

/// <summary>
/// What a cache key template can name, supplied by the node that renders it (§A5 "key templates"): the pipeline's
/// values, the job's environment and the files of its working directory.
/// </summary>
public interface IKeyTemplateValues
{
    /// <summary><c>{{ .Branch }}</c>; null (a tag build) renders as nothing, as Go prints an empty string field.</summary>
    string? Branch { get; }

    /// <summary><c>{{ .BuildNum }}</c>.</summary>
    long BuildNum { get; }

    /// <summary><c>{{ .Revision }}</c>: the commit's full hash.</summary>
    string Revision { get; }

    /// <summary><c>{{ .DefaultBranch }}</c> (Porthole's, for Travis's fallback cache); null renders as nothing.</summary>
    string? DefaultBranch { get; }

    /// <summary><c>{{ .Environment.NAME }}</c>; null when the variable is not set (Go prints <c>&lt;no value&gt;</c>).</summary>
    string? Environment(string name);

    /// <summary>
    /// <c>{{ checksum "PATH" }}</c>: <see cref="KeyTemplate.Checksum(Stream)"/> of the file at the path (absolute or
    /// relative to the job's working directory). Throws for a file that cannot be read; the render lets it through.
    /// </summary>
    ValueTask<string> ChecksumAsync(string path, CancellationToken ct);

    /// <summary><c>{{ epoch }}</c>: the current time in seconds since 1970.</summary>
    long Epoch { get; }

    /// <summary><c>{{ arch }}</c>: the node's OS and CPU, such as <c>linux-amd64</c>.</summary>
    string Arch { get; }
}
