using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Porthole.Server.Accounts;

namespace Porthole.Server.Runners;

/// <summary>
/// A lease's secret (issue 14): made when a node is leased, handed to the runner in its assignment, stored as its
/// SHA-256. A runner proves with it, on every call about the node, that it holds the node's current lease.
/// </summary>
public static class LeaseTokens
{
    public static string New() => "prl_" + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(24));

    public static string Hash(string token) => Tokens.Hash(token);

    /// <summary>Whether <paramref name="presented"/> is the lease whose hash is <paramref name="storedHash"/> (constant time).</summary>
    public static bool Matches(string? storedHash, string? presented) =>
        storedHash is not null && !string.IsNullOrEmpty(presented)
        && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(storedHash), Encoding.ASCII.GetBytes(Hash(presented.Trim())));
}
