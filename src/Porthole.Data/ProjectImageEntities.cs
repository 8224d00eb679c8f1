namespace Porthole.Data;

/// <summary>
/// One entry of a project's image table (issue 13): the image that serves a Travis language version or service
/// (<see cref="Choice"/>, e.g. <c>python 3.8</c> or <c>redis</c>) in this project's jobs, before the runner's own table.
/// One per key and project; deleted with the project.
/// </summary>
public sealed class ProjectImageRecord
{
    public long Id { get; set; }
    public long ProjectId { get; set; }

    /// <summary>The table key: a travis-build language or service name, optionally one space and a version.</summary>
    public required string Choice { get; set; }

    /// <summary>The Docker image reference that serves it.</summary>
    public required string Image { get; set; }
}
