using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Porthole.Contracts.Api;
using Porthole.Server.Accounts;
using Porthole.Data;
using Porthole.Server.Ssh;

namespace Porthole.Server.Web.Account;

/// <summary>GET <c>/keys</c>; POST <c>/keys</c> (add), <c>/keys/import</c>, <c>/keys/remove</c>. The rules are <see cref="UserKeys"/>'s.</summary>
public sealed partial class KeysPage
{
    /// <summary>The code hosts a key list can be imported from, as <see cref="KeyProviders"/> names them.</summary>
    public static readonly IReadOnlyList<(string Id, string Label)> Providers = [("github", "GitHub"), ("gitlab", "GitLab"), ("bitbucket", "Bitbucket")];

    [Parameter, EditorRequired]
    public IReadOnlyList<SshKeyView> Keys { get; set; } = [];

    /// <summary>Why the key pasted was refused; the form shows it with the text pasted (a public key is not a secret).</summary>
    [Parameter]
    public string? AddError { get; set; }

    [Parameter]
    public string? PublicKey { get; set; }

    [Parameter]
    public string? KeyTitle { get; set; }

    [Parameter]
    public string Provider { get; set; } = "github";

    [Parameter]
    public string? Account { get; set; }

    /// <summary>The source just imported from (<c>github:USER</c>), with <see cref="Imported"/> or <see cref="ImportError"/>.</summary>
    [Parameter]
    public string? ImportSource { get; set; }

    [Parameter]
    public ImportKeysResult? Imported { get; set; }

    [Parameter]
    public string? ImportError { get; set; }

    public static async Task<IResult> GetAsync(HttpContext http, PortholeDb db, CancellationToken ct) =>
        WebResults.Page<KeysPage>(new { Keys = await UserKeys.ListAsync(db, CurrentUser.From(http.User), ct) });

    public static async Task<IResult> AddAsync(
        [FromForm(Name = "public_key")] string? publicKey, [FromForm(Name = "title")] string? title,
        HttpContext http, PortholeDb db, TimeProvider time, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        title = string.IsNullOrWhiteSpace(title) ? null : title.Trim();
        var (key, refusal) = await UserKeys.AddAsync(db, user, publicKey ?? "", title, time, ct);
        if (key is null)
        {
            return WebResults.Page<KeysPage>(
                new { Keys = await UserKeys.ListAsync(db, user, ct), AddError = refusal!.Detail, PublicKey = publicKey, KeyTitle = title },
                refusal.Status);
        }

        return Flash.RedirectWith(http, AccountPages.Keys, new FlashMessage($"Added key {key.Fingerprint} ({key.Type}).", IsError: false));
    }

    public static async Task<IResult> ImportAsync(
        [FromForm(Name = "provider")] string? provider, [FromForm(Name = "account")] string? account,
        HttpContext http, PortholeDb db, KeyProviders providers, TimeProvider time, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        provider ??= "github";
        var source = $"{provider}:{account?.Trim()}";
        var (result, refusal) = await UserKeys.ImportAsync(db, providers, user, source, time, ct);
        return WebResults.Page<KeysPage>(
            new
            {
                Keys = await UserKeys.ListAsync(db, user, ct),
                Provider = provider,
                Account = account,
                ImportSource = source,
                Imported = result,
                ImportError = refusal?.Detail,
            },
            refusal?.Status ?? StatusCodes.Status200OK);
    }

    public static async Task<IResult> RemoveAsync([FromForm(Name = "fingerprint")] string? fingerprint, HttpContext http, PortholeDb db, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(fingerprint))
        {
            return Flash.RedirectWith(http, AccountPages.Keys, new FlashMessage("Choose the key to remove with its Remove button.", IsError: true));
        }

        var removed = await UserKeys.RemoveAsync(db, CurrentUser.From(http.User), fingerprint, ct);
        return Flash.RedirectWith(http, AccountPages.Keys, removed
            ? new FlashMessage($"Removed key {fingerprint.Trim()}: SSH logins with it are refused from now on.", IsError: false)
            : new FlashMessage(UserKeys.NoSuchKey(fingerprint).Detail, IsError: true));
    }
}
