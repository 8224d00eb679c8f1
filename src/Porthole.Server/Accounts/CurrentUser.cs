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
}
