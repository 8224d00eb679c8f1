namespace Porthole.Cli.Client;

/// <summary>A Porthole server's base address: absolute http(s), kept with a trailing slash so API paths resolve under it.</summary>
public sealed record ServerAddress(Uri BaseUri)
{
    /// <summary>The address as a user writes it, without the trailing slash.</summary>
    public string Display => BaseUri.AbsoluteUri.TrimEnd('/');

    public static bool TryParse(string? text, out ServerAddress address)
    {
        address = null!;
        if (string.IsNullOrWhiteSpace(text)
            || !Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || !string.IsNullOrEmpty(uri.Query)
            || !string.IsNullOrEmpty(uri.Fragment))
        {
            return false;
        }

        var path = uri.AbsolutePath.EndsWith('/') ? uri.AbsolutePath : uri.AbsolutePath + "/";
        address = new ServerAddress(new UriBuilder(uri) { Path = path }.Uri);
        return true;
    }

    public override string ToString() => Display;
}
