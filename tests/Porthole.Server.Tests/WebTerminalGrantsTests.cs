using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Porthole.Data;
using Porthole.Server.Ssh;
using Porthole.Server.Tests.JobData;
using Porthole.Server.Web.Terminal;

namespace Porthole.Server.Tests;

/// <summary>
/// The open browser terminals' grants in the database (issue 14): counted per user for the cap
/// (<see cref="WebTerminalApi.MaxTerminalsPerUser"/>), renewed while open, and lapsing when the server that holds them
/// stops renewing (it died). The grants are the real class on a real server's database (SQLite, or PostgreSQL with
/// <c>PORTHOLE_TEST_DATABASE=postgresql</c>), each on a clock of the test's.
/// </summary>
public sealed class WebTerminalGrantsTests : IAsyncLifetime
{
    private readonly TempFolder _data = new();
    private JobDataServer _server = null!;

    public async Task InitializeAsync() => _server = await JobDataServer.StartAsync(_data.Path);

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task A_users_terminals_are_counted_on_every_node_until_they_close()
    {
        var grants = GrantsOn(new FakeTimeProvider(WholeSecond()));
        var first = await grants.AddAsync(1, new WebTerminalGrant(7, "ssh-ed25519 AAAA1", "SHA256:a", ReadOnly: false), CancellationToken.None);
        var second = await grants.AddAsync(2, new WebTerminalGrant(7, "ssh-ed25519 AAAA2", "SHA256:b", ReadOnly: true), CancellationToken.None);
        await using var other = await grants.AddAsync(1, new WebTerminalGrant(8, "ssh-ed25519 AAAA3", "SHA256:c", ReadOnly: false), CancellationToken.None);

        Assert.Equal(2, await CountOfAsync(grants, 7));
        Assert.Equal(
            [new WebTerminalGrant(7, "ssh-ed25519 AAAA1", "SHA256:a", false), new WebTerminalGrant(8, "ssh-ed25519 AAAA3", "SHA256:c", false)],
            await ForAsync(grants, 1));
        Assert.Equal([new WebTerminalGrant(7, "ssh-ed25519 AAAA2", "SHA256:b", true)], await ForAsync(grants, 2));
        await first.DisposeAsync();
        await first.DisposeAsync();
        Assert.Equal(1, await CountOfAsync(grants, 7));
        await second.DisposeAsync();
        Assert.Equal(0, await CountOfAsync(grants, 7));
        Assert.Equal(1, await CountOfAsync(grants, 8));
        Assert.Equal("SHA256:c", Assert.Single(await ForAsync(grants, 1)).Fingerprint);
        Assert.Empty(await ForAsync(grants, 2));
    }

    [Fact]
    public async Task An_open_terminals_grant_is_renewed_and_one_its_server_stopped_renewing_lapses()
    {
        var start = WholeSecond();
        var clock = new FakeTimeProvider(start);
        var live = GrantsOn(clock);

        // The server of this grant died right after making it: its clock never moves again, so it never renews.
        var dead = GrantsOn(new FakeTimeProvider(start));
        await dead.AddAsync(5, new WebTerminalGrant(41, "ssh-ed25519 AAAAdead", "SHA256:dead", ReadOnly: false), CancellationToken.None);
        await using var open = await live.AddAsync(5, new WebTerminalGrant(42, "ssh-ed25519 AAAAlive", "SHA256:live", ReadOnly: false), CancellationToken.None);
        Assert.Equal(["SHA256:dead", "SHA256:live"], (await ForAsync(live, 5)).Select(g => g.Fingerprint));

        // Three renewals carry the open terminal past the first minute; the other grant has lapsed by then.
        for (var renewal = 1; renewal <= 3; renewal++)
        {
            clock.Advance(WebTerminalGrants.RenewalInterval);
            await WaitForExpiryAsync("SHA256:live", clock.GetUtcNow() + WebTerminalGrants.Lifetime);
        }

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(clock.GetUtcNow() > start + WebTerminalGrants.Lifetime);
        Assert.Equal(["SHA256:live"], (await ForAsync(live, 5)).Select(g => g.Fingerprint));
        Assert.Equal(0, await CountOfAsync(live, 41));
        Assert.Equal(1, await CountOfAsync(live, 42));

        // The lapsed row stays until the next terminal opens, which deletes it.
        Assert.Equal(2, await RowsAsync());
        await using (await live.AddAsync(6, new WebTerminalGrant(43, "ssh-ed25519 AAAAnext", "SHA256:next", ReadOnly: true), CancellationToken.None))
        {
            Assert.Equal(["SHA256:live", "SHA256:next"], await FingerprintsAsync());
        }

        // Closed: gone at once, and no longer renewed.
        await open.DisposeAsync();
        Assert.Empty(await FingerprintsAsync());
        clock.Advance(WebTerminalGrants.RenewalInterval);
        Assert.Empty(await ForAsync(live, 5));
    }

    /// <summary>Now, to the second: PostgreSQL keeps microseconds, so a renewal's expiry is compared as stored.</summary>
    private static DateTimeOffset WholeSecond()
    {
        var now = TimeProvider.System.GetUtcNow();
        return new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
    }

    private WebTerminalGrants GrantsOn(TimeProvider clock) =>
        new(_server.Get<IDbContextFactory<PortholeDb>>(), clock, NullLogger<WebTerminalGrants>.Instance);

    private async Task<IReadOnlyList<WebTerminalGrant>> ForAsync(WebTerminalGrants grants, long nodeId)
    {
        await using var db = _server.Db();
        return await grants.ForAsync(db, nodeId, CancellationToken.None);
    }

    private async Task<int> CountOfAsync(WebTerminalGrants grants, long userId)
    {
        await using var db = _server.Db();
        return await grants.CountOfAsync(db, userId, CancellationToken.None);
    }

    private async Task<int> RowsAsync()
    {
        await using var db = _server.Db();
        return await db.WebTerminalGrants.CountAsync();
    }

    private async Task<List<string>> FingerprintsAsync()
    {
        await using var db = _server.Db();
        return await db.WebTerminalGrants.OrderBy(g => g.Fingerprint).Select(g => g.Fingerprint).ToListAsync();
    }

    /// <summary>Waits until the grant's renewal (on a timer of the test's clock, written asynchronously) has landed.</summary>
    private async Task WaitForExpiryAsync(string fingerprint, DateTimeOffset expected)
    {
        var stored = DateTimeOffset.MinValue;
        for (var i = 0; i < 200; i++)
        {
            await using (var db = _server.Db())
            {
                stored = await db.WebTerminalGrants.Where(g => g.Fingerprint == fingerprint).Select(g => g.ExpiresAt).SingleAsync();
            }

            if (stored == expected)
            {
                return;
            }

            await Task.Delay(25);
        }

        Assert.Fail($"the grant {fingerprint} expires at {stored:O}, not {expected:O}: it was not renewed");
    }
}
