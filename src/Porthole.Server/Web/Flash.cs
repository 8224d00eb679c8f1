using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Porthole.Server.Web;

/// <summary>A sentence shown once on the page a form redirects to; <see cref="IsError"/> for a refusal.</summary>
public sealed record FlashMessage(string Text, bool IsError);

/// <summary>
/// The message a form's handler leaves for the page it redirects to (post, redirect, get): a short-lived cookie,
/// protected so that no other site or script can write one, read and deleted by the next page (<c>Layout</c>). It never
/// carries a secret, and it is not in the URL, so a link cannot make a page say something the server did not.
/// </summary>
public static class Flash
{
    public const string CookieName = "porthole_flash";

    private const string Purpose = "Porthole.Web.Flash";
    private static readonly object ItemKey = new();

    public static void Info(HttpContext http, string text) => Set(http, new FlashMessage(text, IsError: false));

    public static void Error(HttpContext http, string text) => Set(http, new FlashMessage(text, IsError: true));

    /// <summary>Redirects to <paramref name="path"/> (a local path) with <paramref name="message"/> to be shown there.</summary>
    public static IResult RedirectWith(HttpContext http, string path, FlashMessage message)
    {
        Set(http, message);
        return TypedResults.LocalRedirect(path);
    }

    /// <summary>The message left for this request, once: the cookie is deleted as it is read.</summary>
    public static FlashMessage? Take(HttpContext http)
    {
        if (http.Items.TryGetValue(ItemKey, out var taken))
        {
            return taken as FlashMessage;
        }

        FlashMessage? message = null;
        if (http.Request.Cookies.TryGetValue(CookieName, out var value) && !string.IsNullOrEmpty(value))
        {
            try
            {
                var text = Protector(http).Unprotect(value);
                message = new FlashMessage(text[1..], text[0] == 'e');
            }
            catch (System.Security.Cryptography.CryptographicException)
            {
                // Written by an older key or by hand: nothing to show.
            }

            if (!http.Response.HasStarted)
            {
                http.Response.Cookies.Delete(CookieName, new CookieOptions { Path = "/" });
            }
        }

        http.Items[ItemKey] = message;
        return message;
    }

    private static void Set(HttpContext http, FlashMessage message)
    {
        var value = Protector(http).Protect((message.IsError ? "e" : "i") + message.Text);
        http.Response.Cookies.Append(CookieName, value, new CookieOptions
        {
            Path = "/",
            HttpOnly = true,
            SameSite = SameSiteMode.Lax,
            IsEssential = true,
            MaxAge = TimeSpan.FromMinutes(1),
            Secure = http.Request.IsHttps,
        });
    }

    private static IDataProtector Protector(HttpContext http) =>
        http.RequestServices.GetRequiredService<IDataProtectionProvider>().CreateProtector(Purpose);
}
