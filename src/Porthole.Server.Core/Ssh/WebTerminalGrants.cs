using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Porthole.Data;
using Porthole.Server.Data;

namespace Porthole.Server.Ssh;

/// <summary>
/// The key of one open browser terminal (R-WEB-2): made by the server for it, offered in the name of its user. The node
/// accepts it only while the user would get a grant for keys of their own (<see cref="SshAccess.GrantsAsync"/>);
/// <see cref="ReadOnly"/> asks for no more than watching, whatever the user may do.
/// </summary>
public sealed record WebTerminalGrant(long UserId, string PublicKey, string Fingerprint, bool ReadOnly);

/// <summary>
/// The keys of the browser terminals open now, by node, in the database (<see cref="WebTerminalGrantRecord"/>), so that a
/// terminal opened on one server is granted when its node heart-beats to another (issue 14). Each heartbeat of a node adds
/// them to the keys it accepts: a terminal's key is granted within a heartbeat and dropped within one after it closes.
/// While a terminal is open its server renews the grant every <see cref="RenewalInterval"/>; a server that dies leaves
/// grants that lapse within <see cref="Lifetime"/>, and are deleted when the next terminal opens.
/// </summary>
public sealed partial class WebTerminalGrants(IDbContextFactory<PortholeDb> dbFactory, TimeProvider time, ILogger<WebTerminalGrants> logger)
{
    /// <summary>How long a grant lasts unless its server renews it.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(60);

    /// <summary>How often the server of an open terminal renews its grant (a few renewals fit in <see cref="Lifetime"/>).</summary>
    public static readonly TimeSpan RenewalInterval = TimeSpan.FromSeconds(20);

    /// <summary>How long closing a terminal waits for its grant's deletion; past it, the grant lapses by itself.</summary>
    private static readonly TimeSpan DeleteTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The grants of the browser terminals open on a node now, oldest first.</summary>
    public async Task<IReadOnlyList<WebTerminalGrant>> ForAsync(PortholeDb db, long nodeId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var now = time.GetUtcNow();
        return await db.WebTerminalGrants.AsNoTracking()
            .Where(g => g.NodeId == nodeId && g.ExpiresAt > now)
            .OrderBy(g => g.Id)
            .Select(g => new WebTerminalGrant(g.UserId, g.PublicKey, g.Fingerprint, g.ReadOnly))
            .ToListAsync(ct);
    }

    /// <summary>How many browser terminals <paramref name="userId"/> has open now, on any node and any server.</summary>
    public Task<int> CountOfAsync(PortholeDb db, long userId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var now = time.GetUtcNow();
        return db.WebTerminalGrants.CountAsync(g => g.UserId == userId && g.ExpiresAt > now, ct);
    }

    /// <summary>Grants a terminal's key on a node, renewed until the returned handle is disposed, which deletes it.</summary>
    public async Task<IAsyncDisposable> AddAsync(long nodeId, WebTerminalGrant grant, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(grant);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = time.GetUtcNow();

        // Grants whose server died lapsed; nothing else deletes them, and they are few.
        await db.WebTerminalGrants.Where(g => g.ExpiresAt <= now).ExecuteDeleteAsync(ct);
        var record = new WebTerminalGrantRecord
        {
            NodeId = nodeId,
            UserId = grant.UserId,
            PublicKey = grant.PublicKey,
            Fingerprint = grant.Fingerprint,
            ReadOnly = grant.ReadOnly,
            ExpiresAt = now + Lifetime,
        };
        db.WebTerminalGrants.Add(record);
        await db.SaveChangesAsync(ct);
        return new Registration(this, record.Id);
    }

    private async Task RenewAsync(long id, CancellationToken closing)
    {
        using var timer = new PeriodicTimer(RenewalInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(closing))
            {
                try
                {
                    await using var db = await dbFactory.CreateDbContextAsync(closing);
                    var expires = time.GetUtcNow() + Lifetime;
                    await db.WebTerminalGrants.Where(g => g.Id == id).ExecuteUpdateAsync(s => s.SetProperty(g => g.ExpiresAt, expires), closing);
                }
                catch (Exception e) when (e is DbException or TimeoutException || DatabaseFaults.IsUnreachable(e))
                {
                    // The next renewal may get through before the grant lapses; if none does, the node drops the key.
                    LogNotRenewed(logger, id, Describe(e));
                }
            }
        }
        catch (OperationCanceledException) when (closing.IsCancellationRequested)
        {
        }
    }

    private async Task DeleteAsync(long id)
    {
        using var patience = new CancellationTokenSource(DeleteTimeout, time);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(patience.Token);
            await db.WebTerminalGrants.Where(g => g.Id == id).ExecuteDeleteAsync(patience.Token);
        }
        catch (Exception e) when (e is DbException or TimeoutException or OperationCanceledException || DatabaseFaults.IsUnreachable(e))
        {
            LogNotDeleted(logger, id, Describe(e));
        }
    }

    /// <summary>The fault by its kind only: a database's message may carry its connection string.</summary>
    private static string Describe(Exception e) => DatabaseFaults.Describe(e) ?? e.GetType().Name;

    [LoggerMessage(Level = LogLevel.Warning, Message = "The browser terminal grant {GrantId} was not renewed: {Reason}")]
    private static partial void LogNotRenewed(ILogger logger, long grantId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The browser terminal grant {GrantId} was not deleted (it lapses by itself): {Reason}")]
    private static partial void LogNotDeleted(ILogger logger, long grantId, string reason);

    /// <summary>One open terminal's grant: renewed from its creation until disposed, then deleted.</summary>
    private sealed class Registration : IAsyncDisposable
    {
        private readonly WebTerminalGrants _owner;
        private readonly long _id;
        private readonly CancellationTokenSource _closing = new();
        private readonly Task _renewing;
        private int _disposed;

        public Registration(WebTerminalGrants owner, long id)
        {
            _owner = owner;
            _id = id;
            _renewing = owner.RenewAsync(id, _closing.Token);
        }

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            await _closing.CancelAsync();
            try
            {
                await _renewing;
            }
            finally
            {
                _closing.Dispose();
                await _owner.DeleteAsync(_id);
            }
        }
    }
}
