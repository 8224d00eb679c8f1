using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Porthole.Data;

namespace Porthole.Server.Accounts;

/// <summary>Personal tokens: random, shown once, stored as their SHA-256.</summary>
public static class Tokens
{
    /// <summary>How stale a token's <c>last_used_at</c> may be: it is written at most once a minute per token, not on every request.</summary>
    public static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    public static string Generate() => "ph_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>The stored token a personal token is, and its user; null for an empty or unknown one.</summary>
    public static async Task<(long TokenId, DateTimeOffset? LastUsedAt, User User)?> FindAsync(PortholeDb db, string? token, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(token))
        {
            return null;
        }

        var hash = Hash(token.Trim());
        var found = await (from t in db.Tokens
                           join u in db.Users on t.UserId equals u.Id
                           where t.Hash == hash
                           select new { t.Id, t.LastUsedAt, User = u }).FirstOrDefaultAsync(ct);
        return found is null ? null : (found.Id, found.LastUsedAt, found.User);
    }
}
