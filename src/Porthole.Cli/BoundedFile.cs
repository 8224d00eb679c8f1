using System.Text;

namespace Porthole.Cli;

/// <summary>
/// Reads a small file the user names (a key, a config) as text, at most a cap: a folder, a missing file, one over the
/// cap (even one that grows, or a device that never ends) and one that cannot be read are refused in the caller's words.
/// </summary>
internal static class BoundedFile
{
    /// <param name="what">How the refusals name what was expected (<c>a public key file such as ~/.ssh/id_ed25519.pub</c>).</param>
    /// <param name="tooLarge">The refusal of a file over <paramref name="maxBytes"/>.</param>
    /// <param name="missingHint">What to say after "no such file", if anything.</param>
    public static async Task<string> ReadTextAsync(string path, int maxBytes, string what, string tooLarge, string? missingHint, CancellationToken cancellationToken)
    {
        if (Directory.Exists(path))
        {
            throw new CliException($"{path} is a folder: pass {what}");
        }

        if (!File.Exists(path))
        {
            throw new CliException($"{path}: no such file{(missingHint is null ? "" : $" ({missingHint})")}");
        }

        try
        {
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var buffer = new byte[maxBytes + 1];
            var read = 0;
            while (read < buffer.Length && await stream.ReadAsync(buffer.AsMemory(read), cancellationToken) is var n and > 0)
            {
                read += n;
            }

            if (read > maxBytes)
            {
                throw new CliException($"{path} {tooLarge}");
            }

            return Encoding.UTF8.GetString(buffer, 0, read).TrimStart('\uFEFF');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot read {path}: {e.Message}");
        }
    }
}
