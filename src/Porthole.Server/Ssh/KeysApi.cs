using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Porthole.Contracts.Api;
using Porthole.Server.Accounts;
using Porthole.Server.Api;
using Porthole.Data;

namespace Porthole.Server.Ssh;

/// <summary>A user's SSH public keys (R-KEY-1, R-KEY-2): add, list, remove, import from a code host.</summary>
public static class KeysApi
{
    public static RouteGroupBuilder MapKeysApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/users/me/keys").RequireAuthorization().WithTags("Keys");
        group.MapPost("/", AddAsync);
        group.MapGet("/", ListAsync);
        group.MapDelete("/", RemoveAsync);
        group.MapPost("/import", ImportAsync);
        return group;
    }

    private static async Task<Results<Created<SshKeyView>, ProblemHttpResult>> AddAsync(
        AddKeyRequest? request, HttpContext http, PortholeDb db, TimeProvider time, CancellationToken ct)
    {
        if (request?.PublicKey is not { } text || text.Length > UserKeys.MaxKeyTextLength)
        {
            return Problems.BadRequest(ErrorCodes.InvalidKey, "Send one public key as {\"public_key\": \"ssh-ed25519 AAAA… you@host\"} (the contents of ~/.ssh/id_ed25519.pub).");
        }

        var (key, refusal) = await UserKeys.AddAsync(db, CurrentUser.From(http.User), text, request.Title, time, ct);
        return key is null ? refusal!.ToProblem() : TypedResults.Created($"/api/users/me/keys?fingerprint={Uri.EscapeDataString(key.Fingerprint)}", key);
    }

    private static async Task<Ok<List<SshKeyView>>> ListAsync(HttpContext http, PortholeDb db, CancellationToken ct) =>
        TypedResults.Ok(await UserKeys.ListAsync(db, CurrentUser.From(http.User), ct));

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveAsync(HttpContext http, PortholeDb db, CancellationToken ct, string? fingerprint = null)
    {
        if (string.IsNullOrWhiteSpace(fingerprint))
        {
            return Problems.BadRequest(ErrorCodes.InvalidRequest, "Name the key to remove: DELETE /api/users/me/keys?fingerprint=SHA256:… (see porthole keys list).");
        }

        return await UserKeys.RemoveAsync(db, CurrentUser.From(http.User), fingerprint, ct)
            ? TypedResults.NoContent()
            : UserKeys.NoSuchKey(fingerprint).ToProblem();
    }

    private static async Task<Results<Ok<ImportKeysResult>, ProblemHttpResult>> ImportAsync(
        ImportKeysRequest? request, HttpContext http, PortholeDb db, KeyProviders providers, TimeProvider time, CancellationToken ct)
    {
        if (request?.Source is not { } source)
        {
            return Problems.BadRequest(ErrorCodes.InvalidRequest, "Send the source as {\"source\": \"github:USER\"} (or gitlab:USER, bitbucket:USER).");
        }

        var (result, refusal) = await UserKeys.ImportAsync(db, providers, CurrentUser.From(http.User), source, time, ct);
        return result is null ? refusal!.ToProblem() : TypedResults.Ok(result);
    }
}
