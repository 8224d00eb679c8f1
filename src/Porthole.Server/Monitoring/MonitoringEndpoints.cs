using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Prometheus;

namespace Porthole.Server.Monitoring;

/// <summary>
/// Wires monitoring into the server: <c>/metrics</c> (Prometheus text, see <see cref="PortholeMetrics"/>), the HTTP request
/// metrics, <c>/healthz</c> (the process serves) and <c>/readyz</c> (started, and the database answers). All three are
/// anonymous and carry no form tokens; nothing in the server rate-limits them.
/// </summary>
public static class MonitoringEndpoints
{
    public const string MetricsPath = "/metrics";
    public const string HealthPath = "/healthz";
    public const string ReadyPath = "/readyz";

    /// <summary>What a client is told to wait before asking <c>/readyz</c> again.</summary>
    public const int RetryAfterSeconds = 5;

    /// <summary>The readiness check behind <c>/readyz</c>. <see cref="PortholeMetrics"/> and <see cref="MetricsOptions"/> are the core's (<c>AddPortholeCore</c>).</summary>
    public static IServiceCollection AddMonitoring(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<DatabaseReadiness>("database");
        return services;
    }

    /// <summary>The HTTP request metrics (<c>http_request_duration_seconds</c> and kin, labelled with the route's pattern). First in the pipeline, so every answer counts.</summary>
    public static IApplicationBuilder UseMonitoring(this IApplicationBuilder app)
    {
        var metrics = app.ApplicationServices.GetRequiredService<PortholeMetrics>();
        if (app.ApplicationServices.GetRequiredService<IOptions<MetricsOptions>>().Value.Enabled)
        {
            app.UseHttpMetrics(o => o.SetMetricFactory(metrics.Factory));
        }

        return app;
    }

    public static IEndpointRouteBuilder MapMonitoring(this IEndpointRouteBuilder app)
    {
        var open = app.MapGroup("").AllowAnonymous().ExcludeFromDescription();
        open.MapGet(HealthPath, () => TypedResults.Text("ok"));
        open.MapGet(ReadyPath, ReadyAsync);
        if (app.ServiceProvider.GetRequiredService<IOptions<MetricsOptions>>().Value.Enabled)
        {
            var registry = app.ServiceProvider.GetRequiredService<PortholeMetrics>().Registry;
            open.MapMetrics(MetricsPath, registry).AllowAnonymous().ExcludeFromDescription();
        }

        return app;
    }

    private static async Task<IResult> ReadyAsync(HttpContext http, HealthCheckService health)
    {
        var report = await health.CheckHealthAsync(http.RequestAborted);
        if (report.Status == HealthStatus.Healthy)
        {
            return TypedResults.Text("ready");
        }

        var why = string.Join(" ", report.Entries.Values.Where(e => e.Status != HealthStatus.Healthy).Select(e => e.Description));
        http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem(
            statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "Not ready",
            detail: $"{why} Ask again in {RetryAfterSeconds} s.",
            extensions: new Dictionary<string, object?> { ["code"] = "not_ready" });
    }
}
