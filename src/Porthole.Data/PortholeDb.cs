using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Porthole.Data;

/// <summary>
/// The server's state as EF Core sees it: the entities and how they are keyed and indexed. What depends on the database
/// (case-insensitive comparison, how a <see cref="DateTimeOffset"/> is stored, the migrations) is the provider project's
/// (Porthole.Data.Sqlite, Porthole.Data.PostgreSql), which configures the options and customizes this model.
/// </summary>
public sealed class PortholeDb(DbContextOptions<PortholeDb> options) : DbContext(options)
{
    public DbSet<User> Users => Set<User>();
    public DbSet<ApiToken> Tokens => Set<ApiToken>();
    public DbSet<Project> Projects => Set<Project>();
    public DbSet<Membership> Memberships => Set<Membership>();
    public DbSet<ProjectVariable> Variables => Set<ProjectVariable>();
    public DbSet<PipelineRecord> Pipelines => Set<PipelineRecord>();
    public DbSet<WorkflowRecord> Workflows => Set<WorkflowRecord>();
    public DbSet<JobRecord> Jobs => Set<JobRecord>();
    public DbSet<AttemptRecord> Attempts => Set<AttemptRecord>();
    public DbSet<NodeRecord> Nodes => Set<NodeRecord>();
    public DbSet<StepRecord> Steps => Set<StepRecord>();
    public DbSet<IdSequence> IdSequences => Set<IdSequence>();
    public DbSet<SshKey> SshKeys => Set<SshKey>();
    public DbSet<SshKeyEventRecord> SshKeyEvents => Set<SshKeyEventRecord>();
    public DbSet<SshSessionRecord> SshSessions => Set<SshSessionRecord>();
    public DbSet<BlobRecord> Blobs => Set<BlobRecord>();
    public DbSet<NodeBlobRecord> NodeBlobs => Set<NodeBlobRecord>();
    public DbSet<CacheRecord> Caches => Set<CacheRecord>();
    public DbSet<WorkspaceLayerRecord> WorkspaceLayers => Set<WorkspaceLayerRecord>();
    public DbSet<ArtifactRecord> Artifacts => Set<ArtifactRecord>();
    public DbSet<TestCaseRecord> TestCases => Set<TestCaseRecord>();
    public DbSet<SessionRecordingRecord> SessionRecordings => Set<SessionRecordingRecord>();
    public DbSet<ContextRecord> Contexts => Set<ContextRecord>();
    public DbSet<ContextVariableRecord> ContextVariables => Set<ContextVariableRecord>();
    public DbSet<ProjectSshKeyRecord> ProjectSshKeys => Set<ProjectSshKeyRecord>();
    public DbSet<ProjectHookRecord> ProjectHooks => Set<ProjectHookRecord>();
    public DbSet<ProjectNotificationRecord> ProjectNotifications => Set<ProjectNotificationRecord>();
    public DbSet<HookDeliveryRecord> HookDeliveries => Set<HookDeliveryRecord>();
    public DbSet<ScheduleRecord> Schedules => Set<ScheduleRecord>();
    public DbSet<ProjectKeyRecord> ProjectKeys => Set<ProjectKeyRecord>();
    public DbSet<ProjectImageRecord> ProjectImages => Set<ProjectImageRecord>();
    public DbSet<RunnerTokenRecord> RunnerTokens => Set<RunnerTokenRecord>();
    public DbSet<RunnerRecord> Runners => Set<RunnerRecord>();
    public DbSet<WebTerminalGrantRecord> WebTerminalGrants => Set<WebTerminalGrantRecord>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        // One user per name whatever its case ("Admin" beside "admin" would be two people to a reader), and found by
        // name whatever its case: the provider gives the column a case-insensitive collation (names are ASCII).
        CaseInsensitive(modelBuilder.Entity<User>().Property(u => u.Name));
        modelBuilder.Entity<User>().HasIndex(u => u.Name).IsUnique();
        modelBuilder.Entity<ApiToken>().HasIndex(t => t.Hash).IsUnique();
        modelBuilder.Entity<ApiToken>().HasIndex(t => new { t.UserId, t.Name }).IsUnique();
        modelBuilder.Entity<Project>().HasIndex(p => p.Name).IsUnique();
        modelBuilder.Entity<Membership>().HasKey(m => new { m.ProjectId, m.UserId });
        modelBuilder.Entity<ProjectVariable>().HasKey(v => new { v.ProjectId, v.Name });
        modelBuilder.Entity<IdSequence>().HasKey(s => s.Name);
        modelBuilder.Entity<SshKey>().HasIndex(k => k.Fingerprint).IsUnique();
        modelBuilder.Entity<SshKey>().HasIndex(k => k.UserId);
        modelBuilder.Entity<SshKeyEventRecord>().ToTable("SshKeyEvents").HasIndex(e => e.NodeId);
        modelBuilder.Entity<SshSessionRecord>().ToTable("SshSessions").HasIndex(s => new { s.NodeId, s.Address, s.Port });
        modelBuilder.Entity<PipelineRecord>().ToTable("Pipelines").HasIndex(p => new { p.ProjectId, p.Number }).IsUnique();
        modelBuilder.Entity<PipelineRecord>().Property(p => p.Id).ValueGeneratedNever();
        modelBuilder.Entity<WorkflowRecord>().Property(w => w.Id).ValueGeneratedNever();
        modelBuilder.Entity<JobRecord>().Property(j => j.Id).ValueGeneratedNever();
        modelBuilder.Entity<WorkflowRecord>().ToTable("Workflows").HasIndex(w => w.PipelineId);
        modelBuilder.Entity<JobRecord>().ToTable("Jobs").HasIndex(j => j.PipelineId);
        modelBuilder.Entity<JobRecord>().HasIndex(j => j.WorkflowId);
        modelBuilder.Entity<JobRecord>().Property(j => j.Type).HasConversion<string>();
        modelBuilder.Entity<AttemptRecord>().ToTable("Attempts").HasIndex(a => new { a.JobId, a.Number }).IsUnique();
        modelBuilder.Entity<NodeRecord>().ToTable("Nodes").HasIndex(n => n.Status);
        modelBuilder.Entity<NodeRecord>().HasIndex(n => n.AttemptId);
        modelBuilder.Entity<StepRecord>().ToTable("Steps").HasIndex(s => new { s.NodeId, s.Index });

        // Job data (issue 11). A cache key is unique in its project, so of concurrent saves of one key exactly one is kept.
        modelBuilder.Entity<BlobRecord>().ToTable("Blobs").HasKey(b => b.Digest);
        modelBuilder.Entity<NodeBlobRecord>().ToTable("NodeBlobs").HasKey(b => new { b.NodeId, b.Digest });
        modelBuilder.Entity<NodeBlobRecord>().HasIndex(b => b.Digest);
        modelBuilder.Entity<CacheRecord>().ToTable("Caches").HasIndex(c => new { c.ProjectId, c.Key }).IsUnique();
        modelBuilder.Entity<CacheRecord>().HasIndex(c => c.Digest);
        modelBuilder.Entity<CacheRecord>().HasIndex(c => c.SavedAt);
        modelBuilder.Entity<WorkspaceLayerRecord>().ToTable("WorkspaceLayers").HasIndex(l => new { l.WorkflowId, l.JobId });
        modelBuilder.Entity<WorkspaceLayerRecord>().HasIndex(l => l.Digest);
        modelBuilder.Entity<WorkspaceLayerRecord>().HasIndex(l => l.CreatedAt);
        modelBuilder.Entity<ArtifactRecord>().ToTable("Artifacts").HasIndex(a => new { a.NodeId, a.Path }).IsUnique();
        modelBuilder.Entity<ArtifactRecord>().HasIndex(a => new { a.JobId, a.Attempt });
        modelBuilder.Entity<ArtifactRecord>().HasIndex(a => a.Digest);
        modelBuilder.Entity<ArtifactRecord>().HasIndex(a => a.CreatedAt);
        modelBuilder.Entity<TestCaseRecord>().ToTable("TestCases").HasIndex(t => new { t.JobId, t.Attempt });
        modelBuilder.Entity<TestCaseRecord>().HasIndex(t => t.NodeId);
        modelBuilder.Entity<TestCaseRecord>().HasIndex(t => t.AttemptId);
        modelBuilder.Entity<SessionRecordingRecord>().ToTable("SessionRecordings").HasIndex(r => new { r.JobId, r.Attempt });
        modelBuilder.Entity<SessionRecordingRecord>().HasIndex(r => r.Digest);

        // One row per recording, however many servers a retried call reaches (Recordings.StoreAsync).
        modelBuilder.Entity<SessionRecordingRecord>().HasIndex(r => new { r.NodeId, r.Digest, r.StartedAt }).IsUnique();

        // Triggers (issue 12): a delivery id starts one pipeline at most; a branch has one schedule per workflow.
        modelBuilder.Entity<ProjectHookRecord>().ToTable("ProjectHooks").HasKey(h => h.ProjectId);
        modelBuilder.Entity<HookDeliveryRecord>().ToTable("HookDeliveries").HasIndex(d => new { d.ProjectId, d.DeliveryId }).IsUnique();
        modelBuilder.Entity<ScheduleRecord>().ToTable("Schedules").HasIndex(s => new { s.ProjectId, s.Branch, s.Workflow }).IsUnique();
        modelBuilder.Entity<PipelineRecord>().HasIndex(p => new { p.ProjectId, p.Branch, p.Number });

        // Contexts (issue 12, §A6) and a project's additional SSH keys (§A5 add_ssh_keys).
        modelBuilder.Entity<ContextRecord>().ToTable("Contexts").HasIndex(c => c.Name).IsUnique();
        modelBuilder.Entity<ContextVariableRecord>().ToTable("ContextVariables").HasKey(v => new { v.ContextId, v.Name });
        modelBuilder.Entity<ProjectSshKeyRecord>().ToTable("ProjectSshKeys").HasIndex(k => new { k.ProjectId, k.Sha256 }).IsUnique();

        // A project's key for Travis secure values (§B12): one per project, so of two first requests racing one key is kept.
        modelBuilder.Entity<ProjectKeyRecord>().ToTable("ProjectKeys").HasIndex(k => k.ProjectId).IsUnique();

        // A project's image table (issue 13): one image per key, gone with its project.
        modelBuilder.Entity<ProjectImageRecord>().ToTable("ProjectImages").HasIndex(i => new { i.ProjectId, i.Choice }).IsUnique();
        CaseInsensitive(modelBuilder.Entity<ProjectImageRecord>().Property(i => i.Choice));
        modelBuilder.Entity<ProjectImageRecord>().HasOne<Project>().WithMany().HasForeignKey(i => i.ProjectId).OnDelete(DeleteBehavior.Cascade);

        // Runner tokens and the runners registry (issue 14): names unique whatever their case, a token found by its hash.
        modelBuilder.Entity<RunnerTokenRecord>().ToTable("RunnerTokens").HasIndex(t => t.Hash).IsUnique();
        CaseInsensitive(modelBuilder.Entity<RunnerTokenRecord>().Property(t => t.Name));
        modelBuilder.Entity<RunnerTokenRecord>().HasIndex(t => t.Name).IsUnique();
        CaseInsensitive(modelBuilder.Entity<RunnerRecord>().ToTable("Runners").Property(r => r.Name));
        modelBuilder.Entity<RunnerRecord>().HasIndex(r => r.Name).IsUnique();
        modelBuilder.Entity<NodeRecord>().HasIndex(n => new { n.RunnerId, n.Status });

        // A project's notification webhook (R-BEY-4): one per project, gone with its project.
        modelBuilder.Entity<ProjectNotificationRecord>().ToTable("ProjectNotifications").HasKey(n => n.ProjectId);
        modelBuilder.Entity<ProjectNotificationRecord>().HasOne<Project>().WithMany().HasForeignKey(n => n.ProjectId).OnDelete(DeleteBehavior.Cascade);

        // The open browser terminals' keys (issue 14): read by every heartbeat of their node, on whichever server.
        modelBuilder.Entity<WebTerminalGrantRecord>().ToTable("WebTerminalGrants").HasIndex(g => g.NodeId);
    }

    /// <summary>
    /// The string properties compared without regard to case, in equality and in unique indexes; the provider's model
    /// customizer takes them (and the mark) and gives each its collation.
    /// </summary>
    public static IReadOnlyList<IMutableProperty> TakeCaseInsensitiveProperties(IMutableModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var marked = model.GetEntityTypes().SelectMany(e => e.GetProperties()).Where(p => p.FindAnnotation(CaseInsensitiveMark) is not null).ToList();
        foreach (var property in marked)
        {
            property.RemoveAnnotation(CaseInsensitiveMark);
        }

        return marked;
    }

    /// <summary>The properties of type <see cref="DateTimeOffset"/> (nullable or not), which each provider stores its own way.</summary>
    public static IEnumerable<IMutableProperty> DateTimeOffsetProperties(IMutableModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.GetEntityTypes()
            .SelectMany(e => e.GetProperties())
            .Where(p => p.ClrType == typeof(DateTimeOffset) || p.ClrType == typeof(DateTimeOffset?))
            .ToList();
    }

    private const string CaseInsensitiveMark = "Porthole:CaseInsensitive";

    private static void CaseInsensitive(PropertyBuilder<string> property) => property.HasAnnotation(CaseInsensitiveMark, true);
}
