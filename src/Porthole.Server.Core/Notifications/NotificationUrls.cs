namespace Porthole.Server.Notifications;

/// <summary>
/// What a notification webhook's address may be: an absolute http or https URL of at most 2,048 characters, without user
/// info (the body is signed instead). The reasons never repeat the address: it may carry a token of its receiver's.
/// </summary>
public static class NotificationUrls
{
    public const int MaxLength = 2048;

    /// <summary>Why <paramref name="url"/> may not be a webhook's address, or null when it may.</summary>
    public static string? Problem(string? url)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return "Give the webhook's address: {\"url\": \"https://hooks.example.com/porthole\"}.";
        }

        if (url.Length > MaxLength)
        {
            return $"The address is {url.Length} characters long; a webhook's address has at most {MaxLength}.";
        }

        if (url.Any(char.IsWhiteSpace) || url.Any(char.IsControl)
            || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            return "That is not a URL: give an absolute http or https address, e.g. https://hooks.example.com/porthole.";
        }

        if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
        {
            return $"The address must be http or https, not {(uri.Scheme.Length > 20 ? uri.Scheme[..20] : uri.Scheme)}.";
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            return "The address may not carry a user name or password (user:pass@): the receiver checks the signature "
                + "(X-Porthole-Signature-256) made with the webhook's secret instead.";
        }

        return null;
    }

    /// <summary>The host (and port when not the scheme's own) of <paramref name="url"/>: all of it a log may show.</summary>
    public static string HostOf(string url) => Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.Authority : "(not a URL)";
}
