using System.Globalization;
using System.Security.Claims;

namespace Porthole.Server.Accounts;

/// <summary>The signed-in user of a request.</summary>
public sealed record CurrentUser(long Id, string Name, bool IsAdmin)
{
    public static CurrentUser From(ClaimsPrincipal principal) => new(
        long.Parse(principal.FindFirstValue(ClaimTypes.NameIdentifier) ?? "0", CultureInfo.InvariantCulture),
        principal.FindFirstValue(ClaimTypes.Name) ?? "",
        principal.IsInRole("admin"));

    /// <summary>The claims <see cref="From"/> reads, for a user signed in by <paramref name="scheme"/>, and any more given.</summary>
    public static ClaimsIdentity IdentityOf(Data.User user, string scheme, params Claim[] more)
    {
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.NameIdentifier, user.Id.ToString(CultureInfo.InvariantCulture)), new Claim(ClaimTypes.Name, user.Name), .. more],
            scheme);
        if (user.IsAdmin)
        {
            identity.AddClaim(new Claim(ClaimTypes.Role, "admin"));
        }

        return identity;
    }
}
