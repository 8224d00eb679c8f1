using System.ComponentModel.DataAnnotations;

namespace Porthole.Server.JobData;

/// <summary>
/// How much job data the server keeps and for how long, bound from <c>Porthole:JobData</c> and validated at start
/// (e.g. <c>PORTHOLE_Porthole__JobData__CacheCapBytes=10737418240</c>).
/// </summary>
public sealed class JobDataOptions
{
    public const string Section = PortholeOptions.Section + ":JobData";

    /// <summary>The most a project's caches may take together (compressed); the least recently used go first to make room.</summary>
    [Range(1L, long.MaxValue, ErrorMessage = "Porthole:JobData:CacheCapBytes must be a positive number of bytes.")]
    public long CacheCapBytes { get; set; } = 5L * 1024 * 1024 * 1024;

    /// <summary>A cache is deleted this long after it was saved.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "3650.00:00:00", ErrorMessage = "Porthole:JobData:CacheExpiry must be between a minute and 10 years (e.g. 15.00:00:00).")]
    public TimeSpan CacheExpiry { get; set; } = TimeSpan.FromDays(15);

    /// <summary>An artifact is deleted this long after it was stored.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "3650.00:00:00", ErrorMessage = "Porthole:JobData:ArtifactExpiry must be between a minute and 10 years (e.g. 30.00:00:00).")]
    public TimeSpan ArtifactExpiry { get; set; } = TimeSpan.FromDays(30);

    /// <summary>A workspace layer is deleted this long after it was persisted.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "3650.00:00:00", ErrorMessage = "Porthole:JobData:WorkspaceExpiry must be between a minute and 10 years (e.g. 15.00:00:00).")]
    public TimeSpan WorkspaceExpiry { get; set; } = TimeSpan.FromDays(15);

    /// <summary>Test cases stored per node; those past it are counted, not stored.</summary>
    [Range(1, 10_000_000, ErrorMessage = "Porthole:JobData:MaxTestCasesPerNode must be between 1 and 10,000,000.")]
    public int MaxTestCasesPerNode { get; set; } = 100_000;

    /// <summary>How often expired data, unnamed blobs and stale partial uploads are deleted.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Porthole:JobData:SweepInterval must be between a second and a day.")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromHours(1);
}
