using System.Text;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.Orbs;

/// <summary>
/// Whether a text can be stored as an orb's packaged source (§A4): YAML that the config compiler's own loader reads, holding
/// a map. Checked when an orb is imported or fetched, so a store never holds a source that every config using it would trip on.
/// </summary>
public static class OrbSourceText
{
    /// <summary>An orb's source is refused above this size; the largest public orbs are well under 200 KiB.</summary>
    public const int MaxBytes = 1024 * 1024;

    public const string MaxBytesText = "1 MiB";

    /// <summary>
    /// The first problem that keeps <paramref name="text"/> from being the source of orb <paramref name="reference"/>,
    /// at its line and column (the error's file is the reference); null when it is an orb's source.
    /// </summary>
    public static ConfigError? Check(string reference, string text)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MaxBytes || Encoding.UTF8.GetByteCount(text) > MaxBytes)
        {
            return new ConfigError(reference, 1, 1, $"the orb's source is {Encoding.UTF8.GetByteCount(text)} bytes; the limit is {MaxBytesText}", null);
        }

        var errors = new ErrorList(reference);
        var root = YamlLoader.Load(text, errors, file: reference);
        if (errors.Count > 0)
        {
            return errors.ToList()[0];
        }

        if (root is not MapNode)
        {
            var at = root?.Start ?? Position.Start;
            return new ConfigError(
                reference,
                at.Line,
                at.Column,
                $"an orb's source is a map (version, commands, executors, jobs…), not {root?.Describe() ?? "nothing"}",
                null);
        }

        return null;
    }
}
