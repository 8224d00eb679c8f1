using Porthole.Server.Web.Terminal;

namespace Porthole.Server.Tests;

/// <summary>The open browser terminals' grants, counted per user for the cap (WebTerminalApi.MaxTerminalsPerUser).</summary>
public sealed class WebTerminalGrantsTests
{
    [Fact]
    public void A_users_terminals_are_counted_on_every_node_until_they_close()
    {
        var grants = new WebTerminalGrants();
        var first = grants.Add(1, new WebTerminalGrant(7, "ssh-ed25519 AAAA1", "SHA256:a", ReadOnly: false));
        var second = grants.Add(2, new WebTerminalGrant(7, "ssh-ed25519 AAAA2", "SHA256:b", ReadOnly: true));
        using var other = grants.Add(1, new WebTerminalGrant(8, "ssh-ed25519 AAAA3", "SHA256:c", ReadOnly: false));

        Assert.Equal(2, grants.CountOf(7));
        first.Dispose();
        first.Dispose();
        Assert.Equal(1, grants.CountOf(7));
        second.Dispose();
        Assert.Equal(0, grants.CountOf(7));
        Assert.Equal(1, grants.CountOf(8));
        Assert.Single(grants.For(1));
    }
}
