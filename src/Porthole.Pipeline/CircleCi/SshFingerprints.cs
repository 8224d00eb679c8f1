using System.Text.RegularExpressions;

namespace Porthole.Pipeline.CircleCi;

/// <summary>The two ways CircleCI writes an SSH key's fingerprint (§A5 <c>add_ssh_keys</c>): MD5 pairs, or <c>SHA256:</c> base64.</summary>
internal static partial class SshFingerprints
{
    public static bool IsValid(string text) => Md5().IsMatch(text) || Sha256().IsMatch(text);

    [GeneratedRegex("^(MD5:)?[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){15}$")]
    private static partial Regex Md5();

    [GeneratedRegex("^SHA256:[A-Za-z0-9+/]{43}=?$")]
    private static partial Regex Sha256();
}
