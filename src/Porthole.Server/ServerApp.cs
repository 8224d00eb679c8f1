using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Porthole.Contracts.Api;
using Porthole.Server.Accounts;
using Porthole.Server.Contexts;
using Porthole.Data;
using Porthole.Server.Data;
using Porthole.Server.Debug;
using Porthole.Server.JobData;
using Porthole.Server.Logs;
using Porthole.Server.Monitoring;
using Porthole.Server.Orbs;
using Porthole.Server.Pipelines;
using Porthole.Server.Projects;
using Porthole.Server.Runners.Http;
using Porthole.Server.Runners.Registry;
using Porthole.Server.Ssh;
using Porthole.Server.Web;
using Porthole.Server.Web.Sessions;
using Porthole.Server.Web.Terminal;

namespace Porthole.Server;

/// <summary>Composes the server's web application: services, middleware, API groups.</summary>
public static class ServerApp
{
    public static WebApplication Build(ServerHostOptions host, Action<IServiceCollection> addServices)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.UseUrls(host.Urls);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = 16 * 1024 * 1024);
        builder.Configuration.AddEnvironmentVariables("PORTHOLE_");
        if (host.Settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(host.Settings);
        }

        builder.Configuration[$"{PortholeOptions.Section}:{nameof(PortholeOptions.DataDirectory)}"] = Path.GetFullPath(host.DataDirectory);
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // /readyz answers why it is not ready; an outage of the database is logged once (DatabaseAvailability), not per probe.
        builder.Logging.AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.Critical);

        var services = builder.Services;
        // Reads Porthole:Database here, so a malformed setting stops the server with its reason (DatabaseSettingException).
        services.AddPortholeCore(builder.Configuration);
        services.AddExceptionHandler<DatabaseUnavailableHandler>();
        // A request with a token header is the API's token scheme, as always; any other, the web's session cookie.
        services.AddAuthentication(WebAuthentication.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, TokenAuthenticationHandler>(TokenAuthenticationHandler.SchemeName, null)
            .AddWebSessions();
        services.AddAuthorization();
        services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            context.ProblemDetails.Detail ??= DefaultDetail(context.HttpContext, context.Exception, context.ProblemDetails.Status);
            if (!context.ProblemDetails.Extensions.ContainsKey("code"))
            {
                context.ProblemDetails.Extensions["code"] = context.ProblemDetails.Status switch
                {
                    400 => ErrorCodes.InvalidRequest,
                    401 => ErrorCodes.Unauthorized,
                    403 => ErrorCodes.Forbidden,
                    404 => ErrorCodes.NotFound,
                    405 => "method_not_allowed",
                    413 => "payload_too_large",
                    415 => "unsupported_media_type",
                    _ => "internal_error",
                };
            }
        });
        services.AddOpenApi();
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = ApiJson.Options.PropertyNamingPolicy;
            o.SerializerOptions.DefaultIgnoreCondition = ApiJson.Options.DefaultIgnoreCondition;
            foreach (var converter in ApiJson.Options.Converters)
            {
                o.SerializerOptions.Converters.Add(converter);
            }
        });

        services.AddSingleton<GitHubPushHook>();
        services.AddWeb();
        services.AddWebTerminal();
        services.AddMonitoring();
        addServices(services);

        var app = builder.Build();
        app.UseMonitoring();
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = e => e is BadHttpRequestException bad ? bad.StatusCode : 500,
            CreateScopeForErrors = true,
        });
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseWeb();
        app.MapOpenApi();
        app.MapMonitoring();
        app.MapWeb();
        app.MapUsersApi();
        app.MapTokensApi();
        app.MapRunnersApi();
        app.MapRunnerProtocolApi();
        app.MapProjectsApi();
        app.MapProjectSshKeysApi();
        app.MapProjectKeyApi();
        app.MapProjectImagesApi();
        app.MapContextsApi();
        app.MapMembersApi();
        app.MapPipelinesApi();
        app.MapHooksApi();
        app.MapNotificationsApi();
        app.MapSchedulesApi();
        app.MapJobsApi();
        app.MapLogsApi();
        app.MapJobDataApi();
        app.MapRecordingsApi();
        app.MapKeysApi();
        app.MapOrbsApi();
        app.MapSshApi();
        app.MapSshLifecycleApi();
        app.MapCircleCiRerunApi();
        app.MapApprovalsApi();
        app.MapTravisDebugApi();
        app.MapTravisJobApi();
        app.MapDebugApi();
        app.MapWebTerminal();
        return app;
    }

    /// <summary>A sentence for the errors the framework answers itself (no route, an unreadable body).</summary>
    private static string DefaultDetail(HttpContext http, Exception? exception, int? status) => (exception, status) switch
    {
        (BadHttpRequestException bad, _) => bad.Message.Replace(" from the request body as JSON", " from the JSON body", StringComparison.Ordinal) + " Check the request's JSON against /openapi/v1.json.",
        (_, 404) => $"Nothing is at {http.Request.Method} {http.Request.Path}; the API is described at /openapi/v1.json.",
        (_, 405) => $"{http.Request.Path} does not take {http.Request.Method}; the API is described at /openapi/v1.json.",
        (_, 401) => "Send a personal token as 'Authorization: token T', 'Circle-Token: T' or 'Authorization: Bearer T'.",
        (_, 500) => "The server failed on this request; the server's log has the details.",
        _ => "The request cannot be served as sent.",
    };

    /// <summary>Creates the data folder (the server account's alone) and migrates the database before anything listens.</summary>
    public static async Task InitializeAsync(WebApplication app, CancellationToken ct)
    {
        var options = app.Services.GetRequiredService<IOptions<PortholeOptions>>().Value;
        var dataFolder = app.Services.GetRequiredService<DataFolder>();
        dataFolder.Prepare();
        app.Services.GetRequiredService<BlobFiles>().Prepare();
        var factory = app.Services.GetRequiredService<IDbContextFactory<PortholeDb>>();
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            await db.Database.MigrateAsync(ct);
            await app.Services.GetRequiredService<ServerDatabase>().AfterMigrationAsync(db, ct);

            // A pipeline an earlier process was still storing when it stopped never ran: it goes before anything starts.
            await app.Services.GetRequiredService<PipelineTrigger>().DeleteAbandonedAsync(db, ct);
        }

        dataFolder.TightenDatabase();

        await app.Services.GetRequiredService<AdminBootstrap>().EnsureAdminAsync(options.DataDirectory, ct);
    }
}
