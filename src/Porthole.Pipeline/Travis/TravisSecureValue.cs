using Porthole.Contracts.Plans;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.Travis;

/// <summary>
/// A Travis <c>{secure: "…"}</c> env entry (§B12): base64 of an RSA ciphertext, which the server decrypts at run time
/// with the project's key (a value it cannot decrypt is skipped then, never refused here). Read here is only its form:
/// a string alone in its map, base64 (line breaks and spaces in it allowed, as Travis's own wrapped values have them),
/// no longer than a 4096-bit key's ciphertext. Errors name the entry by its place, never by its text.
/// </summary>
internal static class TravisSecureValue
{
    /// <summary>The key of the entry's map.</summary>
    public const string Key = "secure";

    /// <summary>The ciphertext of a 4096-bit RSA key (the size <c>porthole encrypt</c> and Travis use), the most a value may hold.</summary>
    public const int MaxCiphertextBytes = 512;

    /// <summary>Base64 of <see cref="MaxCiphertextBytes"/> is 684 characters; room is left for line breaks and indentation.</summary>
    private const int MaxTextLength = 2048;

    /// <summary>True for a map that is meant as a secure value: it has the key <c>secure</c>.</summary>
    public static bool IsSecure(Node node) => node is MapNode map && map.Has(Key);

    /// <summary>The entry as a plan, or null with an error at the offending node.</summary>
    public static SecureValuePlan? Read(MapNode map, ErrorList errors)
    {
        var secure = map.Entries.Last(entry => entry.Name == Key);
        var others = map.Entries.Where(entry => entry.Name != Key).ToList();
        if (others.Count > 0)
        {
            errors.Add(others[0].Key, $"a secure env entry is a map with the one key secure; '{others[0].Name}' beside it is not allowed (give other variables as entries of their own)");
            return null;
        }

        if (secure.Value is not ScalarNode { IsNull: false } value)
        {
            errors.Add(secure.Value, $"the value of secure must be a string (the base64 text that 'porthole encrypt' prints), found {secure.Value.Describe()}");
            return null;
        }

        if (Problem(value.Value) is { } problem)
        {
            errors.Add(value, $"the value of secure {problem}");
            return null;
        }

        return new SecureValuePlan(value.Value, secure.Key.Start.Line, secure.Key.Start.Column);
    }

    /// <summary>What is wrong with <paramref name="text"/> as a secure value's ciphertext; null when nothing is.</summary>
    private static string? Problem(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return "is empty; it must be the base64 text that 'porthole encrypt' prints";
        }

        if (text.Length > MaxTextLength)
        {
            return $"is {text.Length} characters long; a secure value is at most {MaxCiphertextBytes} bytes of ciphertext (a 4096-bit RSA key), about 684 characters of base64";
        }

        var compact = string.Concat(text.Where(c => !char.IsWhiteSpace(c)));
        var bytes = new byte[(compact.Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64String(compact, bytes, out var length))
        {
            return "is not base64; it must be the text that 'porthole encrypt' prints (A-Z, a-z, 0-9, +, / and = padding)";
        }

        if (length > MaxCiphertextBytes)
        {
            return $"decodes to {length} bytes; a secure value is at most {MaxCiphertextBytes} bytes of ciphertext (a 4096-bit RSA key)";
        }

        return length == 0 ? "is empty; it must be the base64 text that 'porthole encrypt' prints" : null;
    }
}
