using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Porthole.Data;
using Porthole.Server.Data;

namespace Porthole.Server.Monitoring;

/// <summary>
/// The readiness check behind <c>/readyz</c>: the server has finished starting, and its database answers a trivial
/// query within <see cref="Timeout"/>. What it finds is told to <see cref="DatabaseAvailability"/>, so a probe that
/// finds the database back ends an outage the server had seen.
/// </summary>
public sealed class DatabaseReadiness(IDbContextFactory<PortholeDb> dbFactory, IHostApplicationLifetime lifetime, DatabaseAvailability availability) : IHealthCheck
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!lifetime.ApplicationStarted.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("The server is still starting.");
        }

        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("The server is stopping.");
        }

        return await DatabaseAnswersAsync(dbFactory, cancellationToken, availability);
    }

    /// <summary>
    /// Healthy when the database of <paramref name="dbFactory"/> answers a one-row read within <see cref="Timeout"/>; told to
    /// <paramref name="availability"/> when given.
    /// </summary>
    public static async Task<HealthCheckResult> DatabaseAnswersAsync(
        IDbContextFactory<PortholeDb> dbFactory, CancellationToken cancellationToken, DatabaseAvailability? availability = null)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(timeout.Token);
            // A read of a real (small) table: opening a connection alone proves little (SQLite opens files lazily).
            await db.Users.AnyAsync(timeout.Token);
            availability?.Answered();
            return HealthCheckResult.Healthy();
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            availability?.Unreachable("/readyz", new TimeoutException("no answer in time", e));
            return HealthCheckResult.Unhealthy($"The database did not answer within {Timeout.TotalSeconds:0} s.");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            if (DatabaseFaults.IsUnreachable(e))
            {
                availability?.Unreachable("/readyz", e);
            }

            // The exception's types only: a provider's message may carry the connection string.
            return HealthCheckResult.Unhealthy($"The database cannot be reached ({DatabaseFaults.Describe(e) ?? e.GetType().Name}).");
        }
    }
}
