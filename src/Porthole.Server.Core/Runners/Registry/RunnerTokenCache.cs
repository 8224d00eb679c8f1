using System.Collections.Concurrent;
using Porthole.Data;

namespace Porthole.Server.Runners.Registry;

/// <summary>
/// The runner tokens this server found live, with their registered runners, for <see cref="Lifetime"/>: every call of
/// the runner protocol presents its token, and a look-up each time was most of what a log chunk or a step report cost
/// the server (issue 14, bench/dispatch). Only live tokens of registered runners are kept, never a refusal. A token
/// revoked, or a runner registered again, on this server is forgotten at once; on another server on the database it is
/// refused within <see cref="Lifetime"/>.
/// </summary>
public sealed class RunnerTokenCache(TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, Entry> _byHash = new(StringComparer.Ordinal);

    /// <summary>As <see cref="RunnerTokens.FindWithRunnerAsync"/>, from memory while the last look-up is recent.</summary>
    public async Task<(RunnerTokenRecord Token, RunnerRecord? Runner)?> FindAsync(PortholeDb db, string? presentedToken, CancellationToken ct)
    {
        var token = presentedToken?.Trim();
        if (string.IsNullOrEmpty(token) || !token.StartsWith(RunnerTokens.Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var hash = Accounts.Tokens.Hash(token);
        var now = time.GetUtcNow();
        if (_byHash.TryGetValue(hash, out var known) && now < known.Until)
        {
            return (known.Token, known.Runner);
        }

        var found = await RunnerTokens.FindWithRunnerAsync(db, token, time, ct);
        if (found is ({ } live, { } runner))
        {
            if (_byHash.Count > 10_000)
            {
                _byHash.Clear();
            }

            _byHash[hash] = new Entry(live, runner, now + Lifetime);
        }
        else
        {
            _byHash.TryRemove(hash, out _);
        }

        return found;
    }

    /// <summary>Forgets every token: one was revoked, or a runner registered (again) on this server.</summary>
    public void Forget() => _byHash.Clear();

    private sealed record Entry(RunnerTokenRecord Token, RunnerRecord Runner, DateTimeOffset Until);
}
