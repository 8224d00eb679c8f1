namespace Porthole.Server.Web.Sessions;

/// <summary>Where to go after signing in: only a path on this server, so a crafted link cannot send a user elsewhere (no open redirect).</summary>
public static class ReturnUrls
{
    public static string LocalOrDefault(string? returnUrl, string fallback = WebPaths.Projects)
    {
        if (string.IsNullOrEmpty(returnUrl) || returnUrl.Length > 2000)
        {
            return fallback;
        }

        // "/x" only: not "//host" or "/\host" (both leave the site), not "http:…", no control characters or backslashes.
        var local = returnUrl[0] == '/'
            && (returnUrl.Length == 1 || (returnUrl[1] != '/' && returnUrl[1] != '\\'))
            && !returnUrl.Any(c => char.IsControl(c) || c == '\\');
        if (!local)
        {
            return fallback;
        }

        var path = returnUrl.Split('?', '#')[0];
        return path.Equals(WebPaths.SignIn, StringComparison.OrdinalIgnoreCase) || path.Equals(WebPaths.SignOut, StringComparison.OrdinalIgnoreCase)
            ? fallback
            : returnUrl;
    }
}
