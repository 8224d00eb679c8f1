using System.Globalization;

namespace Porthole.Server.Api;

/// <summary>Ids arrive as text in routes so that a malformed one gets a clear error instead of an empty 404.</summary>
public static class Ids
{
    public static bool TryParse(string text, out long id) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out id) && id > 0;
}
