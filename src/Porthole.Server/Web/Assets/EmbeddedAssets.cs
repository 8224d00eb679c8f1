using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Net.Http.Headers;

namespace Porthole.Server.Web.Assets;

/// <summary>
/// The web's static files (our CSS and JS, xterm.js from npm), embedded in this assembly by the csproj under the
/// logical name <c>static/PATH</c> and served at <c>/static/PATH</c>. Pages link them with <see cref="Url"/>, which adds
/// the content's hash: such a URL is cached for a year, any other revalidates with the ETag.
/// </summary>
public sealed class EmbeddedAssets
{
    private const string Prefix = "static/";
    private readonly Dictionary<string, Asset> _assets = new(StringComparer.Ordinal);

    public EmbeddedAssets()
    {
        var assembly = typeof(EmbeddedAssets).Assembly;
        var types = new FileExtensionContentTypeProvider();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var bytes = copy.ToArray();
            var path = name[Prefix.Length..];
            var contentType = Path.GetExtension(path) switch
            {
                ".css" => "text/css; charset=utf-8",
                ".js" => "text/javascript; charset=utf-8",
                _ => types.TryGetContentType(path, out var type) ? type : "application/octet-stream",
            };
            var version = Convert.ToHexStringLower(SHA256.HashData(bytes))[..16];
            _assets[path] = new Asset(bytes, contentType, version, new EntityTagHeaderValue($"\"{version}\""));
        }
    }

    public IReadOnlyCollection<string> Paths => _assets.Keys;

    /// <summary>The URL of an asset, e.g. <c>Url("xterm/xterm.js")</c> → <c>/static/xterm/xterm.js?v=HASH</c>.</summary>
    public string Url(string path) => _assets.TryGetValue(path, out var asset)
        ? $"/static/{path}?v={asset.Version}"
        : throw new ArgumentException($"No embedded asset static/{path}; embed it in Porthole.Server.csproj.", nameof(path));

    internal IResult Serve(string path, HttpContext http)
    {
        if (!_assets.TryGetValue(path, out var asset))
        {
            return TypedResults.NotFound();
        }

        var versioned = http.Request.Query["v"] == asset.Version;
        http.Response.Headers.CacheControl = versioned ? "public, max-age=31536000, immutable" : "no-cache";
        http.Response.Headers.XContentTypeOptions = "nosniff";
        return TypedResults.Bytes(asset.Content, asset.ContentType, entityTag: asset.ETag);
    }

    private sealed record Asset(byte[] Content, string ContentType, string Version, EntityTagHeaderValue ETag);
}

public static class EmbeddedAssetsEndpoints
{
    public static RouteHandlerBuilder MapEmbeddedAssets(this IEndpointRouteBuilder app) =>
        app.MapMethods("/static/{**path}", [HttpMethods.Get, HttpMethods.Head], (string path, HttpContext http, EmbeddedAssets assets) => assets.Serve(path, http))
            .AllowAnonymous()
            .ExcludeFromDescription();
}
