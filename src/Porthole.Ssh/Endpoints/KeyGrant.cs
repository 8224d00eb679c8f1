using System.Text.RegularExpressions;
using Porthole.Contracts.Ssh;
using Porthole.Ssh.Keys;

namespace Porthole.Ssh.Endpoints;

/// <summary>A key accepted on a node and the user it belongs to, validated.</summary>
internal sealed partial record KeyGrant(string UserName, PublicKey Key)
{
    public string Fingerprint => Key.Fingerprint;

    /// <summary>The owner's name as it may appear in the forced command: user names are <c>[A-Za-z0-9._-]</c>.</summary>
    public string SafeUserName => UnsafeCharacters().Replace(UserName, "_") is { Length: > 0 } safe ? safe : "_";

    /// <summary>The grants whose key parses, one per fingerprint; the others are left out (the server validated them already).</summary>
    public static IReadOnlyList<KeyGrant> From(IEnumerable<SshGrant> grants)
    {
        var result = new List<KeyGrant>();
        foreach (var grant in grants)
        {
            var parsed = PublicKey.Parse(grant.PublicKey);
            if (parsed.IsValid && result.All(g => g.Fingerprint != parsed.Key.Fingerprint))
            {
                result.Add(new KeyGrant(grant.UserName, parsed.Key));
            }
        }

        return result;
    }

    [GeneratedRegex("[^A-Za-z0-9._-]")]
    private static partial Regex UnsafeCharacters();
}
