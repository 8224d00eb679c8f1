using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Porthole.Contracts.Runners;
using Porthole.Data;
using Porthole.Server.Accounts;
using Porthole.Server.Cluster;
using Porthole.Server.Data;
using Porthole.Server.Debug;
using Porthole.Server.JobData;
using Porthole.Server.Logs;
using Porthole.Server.Monitoring;
using Porthole.Server.Notifications;
using Porthole.Server.Orbs;
using Porthole.Server.Pipelines;
using Porthole.Server.Projects;
using Porthole.Server.Runners;
using Porthole.Server.Runners.Registry;
using Porthole.Server.Ssh;

namespace Porthole.Server;

public static class CoreServiceCollectionExtensions
{
    /// <summary>
    /// The server's core: its settings, the database, scheduling, triggers, reruns, leases (<see cref="RunnerService"/>
    /// behind <see cref="IRunnerProtocol"/>), the log store, job data, SSH access, metrics. Its hosted services start in
    /// the order registered here (the signal relay, mirrors, scheduled triggers, the job-data sweeper, the lease sweeper),
    /// before the web host's and the built-in runner's, which are registered after this.
    /// </summary>
    /// <remarks>
    /// Reads <c>Porthole:Database</c> here, so a malformed setting stops the server before anything starts
    /// (<see cref="DatabaseSettingException"/>); <c>Porthole:DataDirectory</c> should already be an absolute path.
    /// </remarks>
    public static IServiceCollection AddPortholeCore(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var porthole = configuration.GetSection(PortholeOptions.Section);
        services.AddOptions<PortholeOptions>()
            .Bind(porthole)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton(TimeProvider.System);

        var dataDirectory = porthole[nameof(PortholeOptions.DataDirectory)] ?? new PortholeOptions().DataDirectory;
        var database = ServerDatabase.Of(
            porthole[nameof(PortholeOptions.Database)],
            new PortholeOptions { DataDirectory = Path.GetFullPath(dataDirectory) }.DatabasePath);
        services.AddSingleton(database);
        services.AddSingleton<DatabaseAvailability>();
        services.AddDbContextFactory<PortholeDb>((_, db) => DatabaseAvailability.LogFailuresOnce(database.Configure, db));

        services.AddSingleton<DataFolder>();
        services.AddSingleton<AdminBootstrap>();
        services.AddSingleton<StateLock>();
        services.AddSingleton<SignalOutbox>();
        services.AddSingleton<WorkSignal>();
        services.AddSingleton<LogStore>();
        services.AddHostedService<PostgreSqlSignalRelay>();
        services.AddSingleton<Scheduler>();
        services.AddSingleton<RepositoryPolicy>();
        services.AddSingleton<ProjectRepositories>();
        services.AddHostedService<MirrorUpkeep>();
        services.AddSingleton<OrbStore>();
        services.AddSingleton<Porthole.Pipeline.Orbs.IOrbSource>(sp => sp.GetRequiredService<OrbStore>());
        services.AddOptions<OrbOptions>()
            .Bind(configuration.GetSection(OrbOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddHttpClient<OrbRegistryClient>();
        services.AddSingleton<PipelineTrigger>();
        services.AddSingleton<ScheduleStore>();
        services.AddSingleton<ScheduledTriggers>();
        services.AddHostedService(sp => sp.GetRequiredService<ScheduledTriggers>());
        services.AddSingleton<Reruns>();
        services.AddSingleton<LostNodeRetry>();
        services.AddSingleton<Approvals>();
        services.AddSingleton<Views>();
        services.AddOptions<JobDataOptions>()
            .Bind(configuration.GetSection(JobDataOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<BlobFiles>();
        services.AddSingleton<UploadHashes>();
        services.AddSingleton<BlobStore>();
        services.AddSingleton<CacheStore>();
        services.AddSingleton<WorkspaceLayers>();
        services.AddSingleton<Artifacts>();
        services.AddSingleton<Recordings>();
        services.AddSingleton<TestResults>();
        services.AddSingleton<JobDataStore>();
        services.AddSingleton<JobDataViews>();
        services.AddSingleton<JobDataSweeper>();
        services.AddHostedService(sp => sp.GetRequiredService<JobDataSweeper>());
        services.AddSingleton<NodeClaims>();
        services.AddSingleton<RunnerService>();
        services.AddSingleton<RunnerTokenCache>();
        services.AddSingleton<RunnerRegistry>();
        services.AddSingleton<SshRerun>();
        services.AddSingleton<DebugStarter>();
        services.AddHttpClient<KeyProviders>();
        services.AddSingleton<IRunnerProtocol, InProcessRunnerProtocol>();
        services.AddHostedService<LeaseSweeper>();

        // A project's notification webhook (R-BEY-4): the runner's calls post, these send, off the request path.
        services.AddSingleton<NotificationQueue>();
        services.AddSingleton<WebhookClient>();
        services.AddHttpClient(WebhookClient.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false })
            .ConfigureHttpClient(client => client.Timeout = Timeout.InfiniteTimeSpan);
        services.AddHostedService<NotificationSender>();
        services.AddHostedService<EndingSoonWatch>();

        // The open browser terminals' keys (a table every server reads): RunnerService grants them at each heartbeat.
        services.AddSingleton<WebTerminalGrants>();
        services.AddOptions<MetricsOptions>().Bind(configuration.GetSection(MetricsOptions.Section));
        services.AddSingleton<PortholeMetrics>();
        return services;
    }
}
