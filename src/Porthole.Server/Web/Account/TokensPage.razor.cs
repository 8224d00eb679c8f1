using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Porthole.Contracts.Api;
using Porthole.Server.Accounts;
using Porthole.Server.Api;
using Porthole.Data;
using Porthole.Server.Web.Sessions;

namespace Porthole.Server.Web.Account;

/// <summary>
/// GET <c>/tokens</c>; POST <c>/tokens</c> (create: the secret is in that response only, never in a URL or a redirect),
/// <c>/tokens/revoke</c>. The rules are <see cref="UserTokens"/>'s.
/// </summary>
public sealed partial class TokensPage
{
    [Parameter, EditorRequired]
    public IReadOnlyList<TokenView> Tokens { get; set; } = [];

    [Parameter]
    public string? CreateError { get; set; }

    /// <summary>The name typed when <see cref="CreateError"/> refused it.</summary>
    [Parameter]
    public string? Name { get; set; }

    public static async Task<IResult> GetAsync(HttpContext http, PortholeDb db, CancellationToken ct) =>
        WebResults.Page<TokensPage>(new { Tokens = await UserTokens.ListAsync(db, CurrentUser.From(http.User), ct) });

    public static async Task<IResult> CreateAsync([FromForm(Name = "name")] string? name, HttpContext http, PortholeDb db, TimeProvider time, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        var (token, refusal) = await UserTokens.CreateAsync(db, user, name, time, ct);
        if (token is null)
        {
            return WebResults.Page<TokensPage>(
                new { Tokens = await UserTokens.ListAsync(db, user, ct), CreateError = refusal!.Detail, Name = name }, refusal.Status);
        }

        // Shown in this response only: kept by no cache, and reloading resends the form, which refuses the name as taken.
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers.Pragma = "no-cache";
        return WebResults.Page<TokenCreatedPage>(new { Token = token });
    }

    public static async Task<IResult> RevokeAsync([FromForm(Name = "id")] string? id, HttpContext http, PortholeDb db, CancellationToken ct)
    {
        if (!Ids.TryParse(id ?? "", out var tokenId))
        {
            return Flash.RedirectWith(http, AccountPages.Tokens, new FlashMessage("Choose the token to revoke with its Revoke button.", IsError: true));
        }

        var user = CurrentUser.From(http.User);
        var (revoked, refusal) = await UserTokens.RevokeAsync(db, user, tokenId, ct);
        if (revoked is null)
        {
            return Flash.RedirectWith(http, AccountPages.Tokens, new FlashMessage(refusal!.Detail, IsError: true));
        }

        if (!revoked.WasCurrent)
        {
            return Flash.RedirectWith(http, AccountPages.Tokens, new FlashMessage($"Revoked token {revoked.Name}: it no longer works.", IsError: false));
        }

        // The session lived on that token: end it now rather than at the next request's check.
        await http.SignOutAsync(WebAuthentication.CookieScheme);
        return Flash.RedirectWith(http, WebPaths.SignIn, new FlashMessage(
            $"You revoked token {revoked.Name}, the one this browser was signed in with, so you are signed out. {UserTokens.WhatNext(user, revoked.Remaining)}",
            IsError: false));
    }
}
