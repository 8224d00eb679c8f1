using System.Text;

namespace Porthole.Cli;

/// <summary>What a <see cref="BoundedFile"/> read expects, and how its refusals say what is wrong.</summary>
/// <param name="MaxBytes">The cap; a larger file is refused, unread when its size says so.</param>
/// <param name="What">What a folder is refused for: <c>… is a folder: pass {What}</c>.</param>
/// <param name="TooLarge">The refusal after the path of a file over the cap, given its size when it is known (null: it grew while read).</param>
internal sealed record TextFileRules(int MaxBytes, string What, Func<long?, string> TooLarge)
{
    /// <summary>What to say after "no such file", if anything.</summary>
    public string? MissingHint { get; init; }

    /// <summary>
    /// When set, the bytes must be UTF-8 (else the refusal after the path, given the first bad byte's offset); when not,
    /// a bad byte becomes U+FFFD, as a key's text may hold.
    /// </summary>
    public Func<int, string>? NotUtf8 { get; init; }
}

/// <summary>
/// Reads a small file the user names (a key, a config, an orb's source) as text, at most a cap: a folder, a missing
/// file, one over the cap (even one that grows, or a device that never ends), one that cannot be read and, when asked,
/// one that is not UTF-8 are refused in the caller's words. A byte order mark is dropped.
/// </summary>
internal static class BoundedFile
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static async Task<string> ReadTextAsync(string path, TextFileRules rules, CancellationToken cancellationToken)
    {
        if (Directory.Exists(path))
        {
            throw new CliException($"{path} is a folder: pass {rules.What}");
        }

        if (!File.Exists(path))
        {
            throw new CliException($"{path}: no such file{(rules.MissingHint is null ? "" : $" ({rules.MissingHint})")}");
        }

        byte[] buffer;
        int read;
        try
        {
            var size = new FileInfo(path).Length;
            if (size > rules.MaxBytes)
            {
                throw new CliException($"{path} {rules.TooLarge(size)}");
            }

            // At most one byte past the cap: a file that grows, or a device that never ends, is refused all the same.
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            buffer = new byte[rules.MaxBytes + 1];
            read = 0;
            while (read < buffer.Length && await stream.ReadAsync(buffer.AsMemory(read), cancellationToken) is var n and > 0)
            {
                read += n;
            }

            if (read > rules.MaxBytes)
            {
                throw new CliException($"{path} {rules.TooLarge(null)}");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot read {path}: {e.Message}");
        }

        try
        {
            var text = (rules.NotUtf8 is null ? Encoding.UTF8 : StrictUtf8).GetString(buffer, 0, read);
            return text.StartsWith('\uFEFF') ? text[1..] : text;
        }
        catch (DecoderFallbackException e)
        {
            throw new CliException($"{path} {rules.NotUtf8!(e.Index)}");
        }
    }
}
