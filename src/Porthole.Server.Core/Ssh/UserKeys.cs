using System.Net;
using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Api;
using Porthole.Server.Accounts;
using Porthole.Server.Api;
using Porthole.Data;

namespace Porthole.Server.Ssh;

/// <summary>
/// A user's SSH public keys (R-KEY-1, R-KEY-2): the rules for adding, removing and importing them, shared by the API
/// (<see cref="KeysApi"/>) and the web's keys page, so both refuse the same keys with the same words.
/// </summary>
public static class UserKeys
{
    /// <summary>A public key is one line; the longest real ones (RSA 16384) are far below this.</summary>
    public const int MaxKeyTextLength = 16 * 1024;

    public const int MaxTitleLength = 200;

    /// <summary>At most this many keys are read from one code host's list.</summary>
    public const int MaxImported = 100;

    public static async Task<List<SshKeyView>> ListAsync(PortholeDb db, CurrentUser user, CancellationToken ct)
    {
        var keys = await db.SshKeys.Where(k => k.UserId == user.Id).OrderBy(k => k.Id).ToListAsync(ct);
        return [.. keys.Select(ViewOf)];
    }

    /// <summary>Validates and stores one key for <paramref name="user"/>; a key already registered to anyone is refused.</summary>
    public static async Task<(SshKeyView? Key, Refusal? Refusal)> AddAsync(
        PortholeDb db, CurrentUser user, string text, string? title, TimeProvider time, CancellationToken ct)
    {
        if (title is { Length: > MaxTitleLength })
        {
            return (null, Refusal.BadRequest(ErrorCodes.InvalidRequest, $"A key's title may be at most {MaxTitleLength} characters."));
        }

        if (text.Length > MaxKeyTextLength)
        {
            return (null, Refusal.BadRequest(ErrorCodes.InvalidKey, "A public key is one line of at most 16 KiB: the contents of ~/.ssh/id_ed25519.pub."));
        }

        var parsed = KeyCheck.Parse(text);
        if (parsed.Key is not { } key)
        {
            return (null, Refusal.BadRequest(ErrorCodes.InvalidKey, parsed.Problem!));
        }

        var owner = await db.SshKeys.Where(k => k.Fingerprint == key.Fingerprint).Select(k => (long?)k.UserId).SingleOrDefaultAsync(ct);
        if (owner is not null)
        {
            return (null, Refusal.Conflict(ErrorCodes.KeyTaken, owner == user.Id
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

    /// <summary>Removes the user's key with that fingerprint; false when the user has none.</summary>
    public static async Task<bool> RemoveAsync(PortholeDb db, CurrentUser user, string fingerprint, CancellationToken ct) =>
        await db.SshKeys.Where(k => k.UserId == user.Id && k.Fingerprint == fingerprint.Trim()).ExecuteDeleteAsync(ct) > 0;

    public static Refusal NoSuchKey(string fingerprint) =>
        Refusal.NotFound(ErrorCodes.NotFound, $"You have no key with fingerprint {MessageText.Shorten(fingerprint)}; see porthole keys list.");

    /// <summary>
    /// Adds the keys a code host lists for <paramref name="source"/> (<c>github:USER</c>, <c>gitlab:USER</c>,
    /// <c>bitbucket:USER</c>): each one that passes <see cref="AddAsync"/> is added, the others are skipped with the reason.
    /// </summary>
    public static async Task<(ImportKeysResult? Result, Refusal? Refusal)> ImportAsync(
        PortholeDb db, KeyProviders providers, CurrentUser user, string source, TimeProvider time, CancellationToken ct)
    {
        source = source.Trim();
        var (lines, problem) = await providers.FetchAsync(source, ct);
        if (lines is null)
        {
            return (null, new Refusal((int)HttpStatusCode.UnprocessableEntity, ErrorCodes.KeyImportFailed, problem!));
        }

        var added = new List<SshKeyView>();
        var skipped = new List<SkippedKey>();
        foreach (var line in lines.Take(MaxImported))
        {
            var (key, refusal) = await AddAsync(db, user, line, $"imported from {source}", time, ct);
            if (key is not null)
            {
                added.Add(key);
            }
            else
            {
                var fingerprint = KeyCheck.Parse(line).Key?.Fingerprint;
                skipped.Add(new SkippedKey(fingerprint, line.Length <= 60 ? line : line[..60] + "…", refusal!.Detail));
            }
        }

        return (new ImportKeysResult(added, skipped), null);
    }

    public static SshKeyView ViewOf(SshKey key) => new(key.Fingerprint, key.Type, key.Comment, key.Bits, key.Title, key.CreatedAt);
}
