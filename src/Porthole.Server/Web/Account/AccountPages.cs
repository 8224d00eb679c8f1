using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace Porthole.Server.Web.Account;

/// <summary>
/// The account pages (the signed-in user's SSH keys and personal tokens) and a project's settings (members and roles,
/// <c>debug_enabled</c>, who may SSH in). Each form's handler goes through the same service as the API
/// (<see cref="Ssh.UserKeys"/>, <see cref="Accounts.UserTokens"/>, <see cref="Projects.ProjectMembers"/>,
/// <see cref="Projects.ProjectSettings"/>), so the web refuses what the API refuses, with the same sentence.
/// </summary>
public static class AccountPages
{
    public const string Keys = "/keys";
    public const string Tokens = "/tokens";

    /// <summary>Under the web's <c>pages</c> group: signed-in users, antiforgery token on every form.</summary>
    public static RouteGroupBuilder MapAccountPages(this RouteGroupBuilder pages)
    {
        pages.MapGet(Keys, KeysPage.GetAsync);
        pages.MapPost(Keys, KeysPage.AddAsync);
        pages.MapPost(Keys + "/import", KeysPage.ImportAsync);
        pages.MapPost(Keys + "/remove", KeysPage.RemoveAsync);

        pages.MapGet(Tokens, TokensPage.GetAsync);
        pages.MapPost(Tokens, TokensPage.CreateAsync);
        pages.MapPost(Tokens + "/revoke", TokensPage.RevokeAsync);

        pages.MapGet("/projects/{name}/settings", ProjectSettingsPage.GetAsync);
        pages.MapPost("/projects/{name}/settings", ProjectSettingsPage.SaveAsync);
        pages.MapPost("/projects/{name}/members", ProjectSettingsPage.SetMemberAsync);
        pages.MapPost("/projects/{name}/members/remove", ProjectSettingsPage.RemoveMemberAsync);
        return pages;
    }
}
