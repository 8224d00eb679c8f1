using System.Security.Cryptography;
using System.Text;

namespace Porthole.Server.Accounts;

/// <summary>Personal tokens: random, shown once, stored as their SHA-256.</summary>
public static class Tokens
{
    public static string Generate() => "ph_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
