using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Porthole.Server.Accounts;
using Porthole.Data;

namespace Porthole.Server.Web.Sessions;

/// <summary>GET and POST <c>/sign-in</c>, POST <c>/sign-out</c>.</summary>
public sealed partial class SignInPage
{
    public const string InvalidToken = "That token is not valid.";

    /// <summary>Where to go after signing in; only a local path is ever followed (<see cref="ReturnUrls"/>).</summary>
    [Parameter]
    public string? ReturnUrl { get; set; }

    [Parameter]
    public string? Error { get; set; }

    public static IResult Get(string? returnUrl, HttpContext http) =>
        WebAuthentication.IsSession(http.User)
            ? TypedResults.LocalRedirect(ReturnUrls.LocalOrDefault(returnUrl))
            : WebResults.Page<SignInPage>(new { ReturnUrl = returnUrl });

    public static async Task<IResult> PostAsync(
        [FromForm(Name = "token")] string? token, [FromForm(Name = "returnUrl")] string? returnUrl, HttpContext http, PortholeDb db, CancellationToken ct)
    {
        if (await Tokens.FindAsync(db, token, ct) is not { } found)
        {
            // The form again, empty: the token typed is never sent back.
            return WebResults.Page<SignInPage>(new { ReturnUrl = returnUrl, Error = InvalidToken });
        }

        await http.SignInAsync(
            WebAuthentication.CookieScheme,
            WebAuthentication.PrincipalFor(found.User, found.TokenId),
            new AuthenticationProperties { IsPersistent = true });
        return TypedResults.LocalRedirect(ReturnUrls.LocalOrDefault(returnUrl));
    }

    public static async Task<IResult> SignOutAsync(HttpContext http)
    {
        await http.SignOutAsync(WebAuthentication.CookieScheme);
        return TypedResults.LocalRedirect(WebPaths.SignIn);
    }
}
