namespace Porthole.Pipeline.Travis;

/// <summary>
/// A Travis env line such as <c>NAME=value</c> or <c>A=1 B="two words"</c> read as Travis's shell would: the server reads
/// the plaintext of a decrypted <c>secure:</c> value (§B12) with it. The line may be a secret, so nothing about it is
/// ever said back: it reads or it does not.
/// </summary>
public static class TravisEnvLine
{
    /// <summary>
    /// The <c>NAME=value</c> words of <paramref name="line"/> in order, quotes removed (<c>$VAR</c> left as written); null
    /// when a quote is not closed or a word is not <c>NAME=value</c>, or when there is no variable at all.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>>? Variables(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var words = EnvLineSplitter.Split(line, out _);
        return words is null || words.Count == 0 ? null : [.. words.Select(word => KeyValuePair.Create(word.Name, word.Value))];
    }
}
