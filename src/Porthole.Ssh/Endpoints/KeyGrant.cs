using System.Text.RegularExpressions;
using Porthole.Contracts.Ssh;
using Porthole.Ssh.Keys;

namespace Porthole.Ssh.Endpoints;

/// <summary>
/// A key accepted on a node and the user it belongs to, validated. A <see cref="ReadOnly"/> key may only watch a debug
/// run's shared session (R-DBG-7); a <see cref="Web"/> key is the server's, for one browser terminal (R-WEB-2).
/// </summary>
internal sealed partial record KeyGrant(string UserName, PublicKey Key, bool ReadOnly = false, bool Web = false)
{
    public string Fingerprint => Key.Fingerprint;

    /// <summary>The owner's name as it may appear in the forced command: user names are <c>[A-Za-z0-9._-]</c>.</summary>
    public string SafeUserName => UnsafeCharacters().Replace(UserName, "_") is { Length: > 0 } safe ? safe : "_";

    /// <summary>
    /// The grants whose key parses, one per fingerprint; the others are left out (the server validated them already).
    /// A key granted twice is read-only if either grant says so, and web if either says so.
    /// </summary>
    public static IReadOnlyList<KeyGrant> From(IEnumerable<SshGrant> grants)
    {
        var result = new List<KeyGrant>();
        foreach (var grant in grants)
        {
            var parsed = PublicKey.Parse(grant.PublicKey);
            if (!parsed.IsValid)
            {
                continue;
            }

            var index = result.FindIndex(g => g.Fingerprint == parsed.Key.Fingerprint);
            if (index < 0)
            {
                result.Add(new KeyGrant(grant.UserName, parsed.Key, grant.ReadOnly, grant.Web));
            }
            else
            {
                result[index] = result[index] with { ReadOnly = result[index].ReadOnly || grant.ReadOnly, Web = result[index].Web || grant.Web };
            }
        }

        return result;
    }

    /// <summary>The forced command's flags for this key (<see cref="AuthorizedKeysText.Flags"/>), or null for none.</summary>
    public string? Flags => AuthorizedKeysText.Flags(ReadOnly, Web);

    [GeneratedRegex("[^A-Za-z0-9._-]")]
    private static partial Regex UnsafeCharacters();
}
