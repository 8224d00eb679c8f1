using System.ComponentModel.DataAnnotations;

namespace Porthole.Server;

/// <summary>Server settings, bound from the <c>Porthole</c> configuration section and validated at start.</summary>
public sealed class PortholeOptions : IValidatableObject
{
    public const string Section = "Porthole";

    [Required]
    public string DataDirectory { get; set; } = "./data";

    /// <summary>
    /// Where the state is kept: empty for SQLite in the data folder (<see cref="DatabasePath"/>), else a PostgreSQL
    /// connection string (<c>Host=…;Database=…;Username=…;Password=…</c>) or URL (<c>postgres://user:pass@host:port/db</c>).
    /// </summary>
    public string? Database { get; set; }

    /// <summary>A job's attempt is ended as timed out after this long (the job time cap).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan JobTimeout { get; set; } = TimeSpan.FromHours(5);

    /// <summary>Each node's log is cut off, with a notice, at this many bytes.</summary>
    [Range(1024L, long.MaxValue)]
    public long LogCapBytes { get; set; } = 100L * 1024 * 1024;

    /// <summary>
    /// A lease that is not extended by a heartbeat for this long ends the node as infrastructure_fail. With the sweep
    /// every 5 s, a lost runner's nodes end within 50 s of its last heartbeat (issue 14: within 60 s).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(45);

    /// <summary>Wait for SSH: how long a node waits for a first connection (R-SSH-8).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan SshFirstConnectionTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Wait for SSH: how long a node stays at most after its first connection (R-SSH-8).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan SshMaxSessionTime { get; set; } = TimeSpan.FromHours(2);

    /// <summary>
    /// After the last SSH session closes, how long the node waits for the next connection before it ends (R-BEY-4), so
    /// that <c>ssh … -- cmd</c> followed by <c>scp</c> works; zero ends it at once, as CircleCI does.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan SshGracePeriod { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The most an SSH node may stay after its first connection with every <c>porthole-extend</c> counted (R-BEY-4).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan SshExtendCap { get; set; } = TimeSpan.FromHours(6);

    /// <summary>How long a debug session lives (R-DBG-6).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan DebugSessionTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// A config that would make more jobs than this (CircleCI jobs invoked in workflows, Travis matrix and include
    /// entries) is refused at the entry that makes the excess; its nodes, parallelism included, may be 10 times as many.
    /// </summary>
    [Range(1, 10_000)]
    public int MaxJobsPerPipeline { get; set; } = Pipeline.ConfigReaderOptions.DefaultMaxJobs;

    /// <summary>Where <c>porthole keys import</c> reads accounts' public keys: <c>{GitHub}/USER.keys</c>, <c>{GitLab}/USER.keys</c>,
    /// <c>{Bitbucket}/2.0/users/USER/ssh-keys</c>.</summary>
    [Required]
    public string GitHubKeysBase { get; set; } = "https://github.com";

    [Required]
    public string GitLabKeysBase { get; set; } = "https://gitlab.com";

    [Required]
    public string BitbucketKeysBase { get; set; } = "https://api.bitbucket.org";

    /// <summary>
    /// Folders under which any user may name a local path as a project's repository (a server admin may name any path
    /// outside the data folder): e.g. <c>PORTHOLE_Porthole__LocalRepositoryRoots__0=/srv/git</c>. Absolute paths. List only
    /// folders whose writers you trust: a repository there can point git elsewhere by its own means (a .git file, alternates).
    /// </summary>
    public IList<string> LocalRepositoryRoots { get; } = new List<string>();

    public string DatabasePath => Path.Combine(DataDirectory, "porthole.db");

    public string LogDirectory => Path.Combine(DataDirectory, "logs");

    public string RepositoryDirectory => Path.Combine(DataDirectory, "repos");

    public string WorkspaceDirectory => Path.Combine(DataDirectory, "workspaces");

    /// <summary>Job data's blobs (caches, workspace layers, artifacts), named by their SHA-256, and the uploads under way.</summary>
    public string BlobDirectory => Path.Combine(DataDirectory, "blobs");

    /// <summary>The demo project's repository, which the server makes itself (<c>porthole server --demo</c>).</summary>
    public string DemoRepositoryDirectory => Path.Combine(DataDirectory, "demo-repository");

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var root in LocalRepositoryRoots)
        {
            if (string.IsNullOrWhiteSpace(root) || !Path.IsPathFullyQualified(root))
            {
                yield return new ValidationResult(
                    $"LocalRepositoryRoots: '{root}' is not an absolute path; list folders such as /srv/git.",
                    [nameof(LocalRepositoryRoots)]);
            }
        }

        if (SshExtendCap < SshMaxSessionTime)
        {
            yield return new ValidationResult(
                $"SshExtendCap ({SshExtendCap}) is shorter than SshMaxSessionTime ({SshMaxSessionTime}): the cap is what porthole-extend may reach beyond it.",
                [nameof(SshExtendCap)]);
        }
    }
}
