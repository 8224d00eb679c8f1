using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Api;
using Porthole.Server.Accounts;
using Porthole.Server.Api;
using Porthole.Server.Data;

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
        if (request?.PublicKey is not { } text || text.Length > 16 * 1024)
        {
            return Problems.BadRequest(ErrorCodes.InvalidKey, "Send one public key as {\"public_key\": \"ssh-ed25519 AAAA… you@host\"} (the contents of ~/.ssh/id_ed25519.pub).");
        }

        if (request.Title is { Length: > 200 })
        {
            return Problems.BadRequest(ErrorCodes.InvalidRequest, "A key's title may be at most 200 characters.");
        }

        var (key, problem) = await AddKeyAsync(db, CurrentUser.From(http.User), text, request.Title, time, ct);
        return key is null ? problem! : TypedResults.Created($"/api/users/me/keys?fingerprint={Uri.EscapeDataString(key.Fingerprint)}", key);
    }

    private static async Task<Ok<List<SshKeyView>>> ListAsync(HttpContext http, PortholeDb db, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        var keys = await db.SshKeys.Where(k => k.UserId == user.Id).OrderBy(k => k.Id).ToListAsync(ct);
        return TypedResults.Ok(keys.Select(ViewOf).ToList());
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveAsync(HttpContext http, PortholeDb db, CancellationToken ct, string? fingerprint = null)
    {
        if (string.IsNullOrWhiteSpace(fingerprint))
        {
            return Problems.BadRequest(ErrorCodes.InvalidRequest, "Name the key to remove: DELETE /api/users/me/keys?fingerprint=SHA256:… (see porthole keys list).");
        }

        var user = CurrentUser.From(http.User);
        var removed = await db.SshKeys.Where(k => k.UserId == user.Id && k.Fingerprint == fingerprint.Trim()).ExecuteDeleteAsync(ct);
        return removed == 0
            ? Problems.NotFound(ErrorCodes.NotFound, $"You have no key with fingerprint {Lookups.Shorten(fingerprint)}; see porthole keys list.")
            : TypedResults.NoContent();
    }

    private static async Task<Results<Ok<ImportKeysResult>, ProblemHttpResult>> ImportAsync(
        ImportKeysRequest? request, HttpContext http, PortholeDb db, KeyProviders providers, TimeProvider time, CancellationToken ct)
    {
        if (request?.Source is not { } source)
        {
            return Problems.BadRequest(ErrorCodes.InvalidRequest, "Send the source as {\"source\": \"github:USER\"} (or gitlab:USER, bitbucket:USER).");
        }

        var (lines, problem) = await providers.FetchAsync(source.Trim(), ct);
        if (lines is null)
        {
            return Problems.Create(StatusCodes.Status422UnprocessableEntity, ErrorCodes.KeyImportFailed, problem!);
        }

        var user = CurrentUser.From(http.User);
        var added = new List<SshKeyView>();
        var skipped = new List<SkippedKey>();
        foreach (var line in lines.Take(100))
        {
            var (key, refusal) = await AddKeyAsync(db, user, line, $"imported from {source.Trim()}", time, ct);
            if (key is not null)
            {
                added.Add(key);
            }
            else
            {
                var fingerprint = KeyCheck.Parse(line).Key?.Fingerprint;
                skipped.Add(new SkippedKey(fingerprint, line.Length <= 60 ? line : line[..60] + "…", refusal!.ProblemDetails.Detail ?? "refused"));
            }
        }

        return TypedResults.Ok(new ImportKeysResult(added, skipped));
    }

    /// <summary>Validates and stores one key for <paramref name="user"/>; a key already registered to anyone is refused.</summary>
    private static async Task<(SshKeyView? Key, ProblemHttpResult? Problem)> AddKeyAsync(
        PortholeDb db, CurrentUser user, string text, string? title, TimeProvider time, CancellationToken ct)
    {
        var parsed = KeyCheck.Parse(text);
        if (parsed.Key is not { } key)
        {
            return (null, Problems.BadRequest(ErrorCodes.InvalidKey, parsed.Problem!));
        }

        var owner = await db.SshKeys.Where(k => k.Fingerprint == key.Fingerprint).Select(k => (long?)k.UserId).SingleOrDefaultAsync(ct);
        if (owner is not null)
        {
            return (null, Problems.Conflict(ErrorCodes.KeyTaken, owner == user.Id
                ? $"You have already added this key ({key.Fingerprint})."
                : $"This key ({key.Fingerprint}) belongs to another user; a key belongs to one user only. Make a new one with ssh-keygen -t ed25519."));
        }

        var record = new SshKey
        {
            UserId = user.Id,
            Type = key.Type,
            PublicKey = key.Line,
            Fingerprint = key.Fingerprint,
            Comment = key.Comment,
            Bits = key.Bits,
            Title = title,
            CreatedAt = time.GetUtcNow(),
        };
        db.SshKeys.Add(record);
        await db.SaveChangesAsync(ct);
        return (ViewOf(record), null);
    }

    private static SshKeyView ViewOf(SshKey key) => new(key.Fingerprint, key.Type, key.Comment, key.Bits, key.Title, key.CreatedAt);
}
