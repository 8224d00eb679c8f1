using System.Globalization;
using System.Security.Claims;

namespace Porthole.Server.Accounts;

/// <summary>The signed-in user of a request; <see cref="TokenId"/> is the personal token it signed in with, when it came with one.</summary>
public sealed record CurrentUser(long Id, string Name, bool IsAdmin, long? TokenId = null)
{
    public const string TokenIdClaim = "porthole:token_id";

    public static CurrentUser From(ClaimsPrincipal principal) => new(
        long.Parse(principal.FindFirst(ClaimTypes.NameIdentifier)?.Value ?? "0", CultureInfo.InvariantCulture),
        principal.FindFirst(ClaimTypes.Name)?.Value ?? "",
        principal.IsInRole("admin"),
        long.TryParse(principal.FindFirst(TokenIdClaim)?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var tokenId) ? tokenId : null);

    /// <summary>The claims <see cref="From"/> reads, for a user signed in by <paramref name="scheme"/> with a personal token.</summary>
    public static ClaimsIdentity IdentityOf(Porthole.Data.User user, long tokenId, string scheme)
    {
        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, user.Id.ToString(CultureInfo.InvariantCulture)),
                new Claim(ClaimTypes.Name, user.Name),
                new Claim(TokenIdClaim, tokenId.ToString(CultureInfo.InvariantCulture)),
            ],
            scheme);
        if (user.IsAdmin)
        {
            identity.AddClaim(new Claim(ClaimTypes.Role, "admin"));
        }

        return identity;
    }
}
