using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Api;
using Porthole.Server.Accounts;
using Porthole.Server.Api;
using Porthole.Data;

namespace Porthole.Server.Runners.Registry;

/// <summary>
/// Runner tokens (issue 14): the rules for making, listing and revoking them, and <see cref="FindAsync"/>, the resolver
/// the runner endpoints call. A runner token is stored as personal tokens are (<see cref="Tokens.Hash"/>), in a table
/// of its own, so it never signs in as a user and a user's token is never a runner's.
/// </summary>
public static partial class RunnerTokens
{
    /// <summary>What every runner token starts with (a personal token starts with <c>ph_</c>).</summary>
    public const string Prefix = "prt_";

    public const int MaxNameLength = 64;

    /// <summary>How stale <see cref="RunnerTokenRecord.LastUsedAt"/> may be: it is written at most once a minute per token.</summary>
    public static readonly TimeSpan LastUsedResolution = Tokens.LastUsedResolution;

    /// <summary>A new secret: <c>prt_</c> and 32 random bytes, URL-safe base64 without padding.</summary>
    public static string Generate() => Prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    /// <summary>
    /// The live runner token <paramref name="presentedToken"/> is, or null: an empty, unknown or revoked token, or a
    /// personal (user) token, is refused. The row is found by the SHA-256 of the secret (its timing says nothing of the
    /// secret) and the hashes are then compared in constant time. Marks the token used (at most once a minute).
    /// </summary>
    public static async Task<RunnerTokenRecord?> FindAsync(PortholeDb db, string? presentedToken, TimeProvider time, CancellationToken ct) =>
        (await FindWithRunnerAsync(db, presentedToken, time, ct))?.Token;

    /// <summary>
    /// As <see cref="FindAsync"/>, with the runner registered with the token (null before it registers), in one look-up:
    /// every call of the runner protocol makes it.
    /// </summary>
    public static async Task<(RunnerTokenRecord Token, RunnerRecord? Runner)?> FindWithRunnerAsync(PortholeDb db, string? presentedToken, TimeProvider time, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(time);
        var token = presentedToken?.Trim();
        if (string.IsNullOrEmpty(token) || !token.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var hash = Tokens.Hash(token);
        var row = await (from t in db.RunnerTokens.AsNoTracking()
                         where t.Hash == hash
                         join r in db.Runners.AsNoTracking() on t.Id equals r.TokenId into registered
                         from r in registered.DefaultIfEmpty()
                         select new { Token = t, Runner = r })
            .FirstOrDefaultAsync(ct);
        var found = row?.Token;
        if (found is null
            || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(found.Hash), Encoding.ASCII.GetBytes(hash))
            || found.RevokedAt is not null)
        {
            return null;
        }

        var now = time.GetUtcNow();
        if (found.LastUsedAt is not { } lastUsed || now - lastUsed >= LastUsedResolution)
        {
            await db.RunnerTokens.Where(t => t.Id == found.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.LastUsedAt, (DateTimeOffset?)now), ct);
            found.LastUsedAt = now;
        }

        return (found, row!.Runner);
    }

    /// <summary>Every runner token, oldest first, with the name of the administrator who made it.</summary>
    public static async Task<List<RunnerTokenView>> ListAsync(PortholeDb db, CancellationToken ct)
    {
        var rows = await (from t in db.RunnerTokens
                          join u in db.Users on t.CreatedBy equals u.Id into users
                          from u in users.DefaultIfEmpty()
                          orderby t.Id
                          select new { t.Name, t.CreatedAt, CreatedBy = u == null ? null : u.Name, t.LastUsedAt, t.RevokedAt }).ToListAsync(ct);
        return [.. rows.Select(r => new RunnerTokenView(r.Name, r.CreatedAt, r.CreatedBy ?? "(deleted user)", r.LastUsedAt, r.RevokedAt is not null, r.RevokedAt))];
    }

    /// <summary>Makes a runner token named <paramref name="name"/>; its secret is in the answer only.</summary>
    public static async Task<(CreatedRunnerToken? Token, Refusal? Refusal)> CreateAsync(
        PortholeDb db, CurrentUser admin, string? name, TimeProvider time, CancellationToken ct)
    {
        if (CheckName(name) is { } bad)
        {
            return (null, bad);
        }

        if (await db.RunnerTokens.AnyAsync(t => t.Name == name, ct))
        {
            return (null, NameTaken(name!));
        }

        var secret = Generate();
        var record = new RunnerTokenRecord { Name = name!, Hash = Tokens.Hash(secret), CreatedAt = time.GetUtcNow(), CreatedBy = admin.Id };
        db.RunnerTokens.Add(record);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another request made a token of the same name since the check above (the unique index says no).
            if (await db.RunnerTokens.AsNoTracking().AnyAsync(t => t.Name == name, ct))
            {
                return (null, NameTaken(name!));
            }

            throw;
        }

        return (new CreatedRunnerToken(record.Name, record.CreatedAt, admin.Name, secret), null);
    }

    /// <summary>Revokes the token named <paramref name="name"/>: refused from now on. Revoking a revoked token again changes nothing.</summary>
    public static async Task<Refusal?> RevokeAsync(PortholeDb db, string name, TimeProvider time, CancellationToken ct)
    {
        if (CheckName(name) is { } bad)
        {
            return bad;
        }

        var record = await db.RunnerTokens.SingleOrDefaultAsync(t => t.Name == name, ct);
        if (record is null)
        {
            return Refusal.NotFound(ErrorCodes.NotFound, $"There is no runner token named '{name}'; see GET /api/runner-tokens.");
        }

        record.RevokedAt ??= time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return null;
    }

    /// <summary>Why <paramref name="name"/> cannot name a runner token, or null. Never echoes a name that is not valid in full.</summary>
    public static Refusal? CheckName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return Refusal.BadRequest(ErrorCodes.InvalidRequest, "Give the runner token a name that says which runner uses it: {\"name\": \"build-host-1\"}.");
        }

        if (name.Length > MaxNameLength)
        {
            return Refusal.BadRequest(ErrorCodes.InvalidRequest, $"A runner token's name may be at most {MaxNameLength} characters; this one has {name.Length}.");
        }

        if (!NamePattern().IsMatch(name))
        {
            // Not echoed: a secret pasted in place of a name must not come back in an answer.
            return Refusal.BadRequest(ErrorCodes.InvalidRequest, "A runner token's name is letters, digits, '.', '_' and '-', starting with a letter or digit.");
        }

        return null;
    }

    private static Refusal NameTaken(string name) => Refusal.Conflict(ErrorCodes.TokenNameTaken,
        $"A runner token named '{MessageText.Shorten(name)}' already exists (a revoked token keeps its name). Pick another name.");
}
