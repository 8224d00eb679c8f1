using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Api;
using Porthole.Contracts.Runners;
using Porthole.Data;

namespace Porthole.Server.Runners.Registry;

/// <summary>What a runner registers as: shown by <c>GET /api/runners</c>.</summary>
public sealed record RunnerRegistration(string Name, string Version, IReadOnlyList<string> Labels, int Capacity, string Address, long? TokenId = null);

/// <summary>
/// The runners the server knows (issue 14): registers them (by name, replacing what an earlier registration of that
/// name said), maps the name a runner leases with to its record, and records that a runner was heard from, writing to
/// the database at most once per <see cref="HeartbeatResolution"/> per runner.
/// </summary>
public sealed class RunnerRegistry(IDbContextFactory<PortholeDb> dbFactory, TimeProvider time, RunnerTokenCache tokens)
{
    /// <summary>How stale a runner's <c>last_heartbeat_at</c> may be.</summary>
    public static readonly TimeSpan HeartbeatResolution = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, long> _byLeaseName = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, DateTimeOffset> _lastWritten = new();
    private readonly ConcurrentDictionary<long, IReadOnlySet<string>> _labels = new();

    /// <summary>This server's version, as a runner built with it reports.</summary>
    public static string ServerVersion { get; } =
        typeof(RunnerRegistry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(RunnerRegistry).Assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>
    /// Registers (or registers again) the runner <paramref name="registration"/> names, heard from now; its nodes are
    /// leased under <paramref name="leaseName"/>. Returns the runner's id.
    /// </summary>
    public async Task<long> RegisterAsync(RunnerRegistration registration, string leaseName, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(registration);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = time.GetUtcNow();
        var record = await db.Runners.SingleOrDefaultAsync(r => r.Name == registration.Name, ct);
        if (record is null)
        {
            record = new RunnerRecord { Name = registration.Name, Version = registration.Version, Address = registration.Address, RegisteredAt = now };
            db.Runners.Add(record);
        }

        record.Version = registration.Version;
        var labels = RunnerLabels.Effective(registration.Labels);
        record.Labels = [.. labels];
        record.Capacity = registration.Capacity;
        record.Address = registration.Address;
        record.TokenId = registration.TokenId;
        record.RegisteredAt = now;
        record.LastHeartbeatAt = now;
        await db.SaveChangesAsync(ct);
        tokens.Forget();
        _byLeaseName[leaseName] = record.Id;
        _lastWritten[record.Id] = now;
        _labels[record.Id] = new HashSet<string>(labels, StringComparer.Ordinal);
        return record.Id;
    }

    /// <summary>
    /// Learns a runner registered earlier (before this process started, or with another server) from its record, so it
    /// leases with its labels without registering again.
    /// </summary>
    public void Remember(RunnerRecord record, string leaseName)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (IdOf(leaseName) == record.Id)
        {
            return;
        }

        _labels[record.Id] = new HashSet<string>(RunnerLabels.Effective(record.Labels), StringComparer.Ordinal);
        _byLeaseName[leaseName] = record.Id;
    }

    /// <summary>The registered runner that leases as <paramref name="leaseName"/>, or null.</summary>
    public long? IdOf(string? leaseName) => leaseName is not null && _byLeaseName.TryGetValue(leaseName, out var id) ? id : null;

    /// <summary>
    /// The effective labels of the runner leasing as <paramref name="leaseName"/>; a runner that never registered has the
    /// kinds every Linux runner runs.
    /// </summary>
    public IReadOnlySet<string> LabelsOf(string? leaseName) =>
        IdOf(leaseName) is { } id && _labels.TryGetValue(id, out var labels) ? labels : Unregistered;

    private static readonly IReadOnlySet<string> Unregistered = new HashSet<string>(RunnerLabels.LinuxKinds, StringComparer.Ordinal);

    /// <summary>Records that the runner leasing as <paramref name="leaseName"/> was heard from (throttled); nothing for an unregistered one.</summary>
    public async Task HeardFromAsync(string? leaseName, CancellationToken ct)
    {
        if (IdOf(leaseName) is not { } id)
        {
            return;
        }

        var now = time.GetUtcNow();
        if (_lastWritten.TryGetValue(id, out var last) && now - last < HeartbeatResolution)
        {
            return;
        }

        _lastWritten[id] = now;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.Runners.Where(r => r.Id == id).ExecuteUpdateAsync(s => s.SetProperty(r => r.LastHeartbeatAt, (DateTimeOffset?)now), ct);
    }

    /// <summary>Every registered runner, by name, with the count of nodes leased to it and not finished.</summary>
    public static async Task<List<RunnerView>> ListAsync(PortholeDb db, CancellationToken ct)
    {
        var runners = await db.Runners.AsNoTracking().ToListAsync(ct);
        var running = await db.Nodes
            .Where(n => n.RunnerId != null && n.Status == Status.Running)
            .GroupBy(n => n.RunnerId)
            .Select(g => new { RunnerId = g.Key, Count = g.Count() })
            .ToDictionaryAsync(x => x.RunnerId!.Value, x => x.Count, ct);
        return [.. runners
            .OrderBy(r => r.Name, StringComparer.OrdinalIgnoreCase)
            .Select(r => new RunnerView(
                r.Name, r.Version, r.Labels, r.Capacity, running.GetValueOrDefault(r.Id), r.LastHeartbeatAt, r.Address,
                BuiltIn: r.TokenId is null, r.RegisteredAt))];
    }
}
