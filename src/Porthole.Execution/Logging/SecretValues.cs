namespace Porthole.Execution.Logging;

/// <summary>
/// What masking looks for, the one rule for the log and for every view beside it (an SSH audit's command, what a
/// read-only watcher sees): the value of every secret variable, and each line of a multi-line one (so a pattern never
/// holds a newline), when at least <see cref="MinimumLength"/> characters long — a secret of "1" or "yes" would turn
/// every such byte into stars and hide nothing worth hiding. Each occurrence becomes <see cref="Mask"/>.
/// </summary>
public static class SecretValues
{
    public const int MinimumLength = 4;

    public const string Mask = "********";

    /// <summary>The distinct patterns of the given secret values, in the order first met.</summary>
    public static IReadOnlyList<string> Patterns(IEnumerable<string> secretValues)
    {
        ArgumentNullException.ThrowIfNull(secretValues);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var patterns = new List<string>();
        foreach (var value in secretValues)
        {
            foreach (var line in value.Split('\n'))
            {
                var trimmed = line.TrimEnd('\r');
                if (trimmed.Length >= MinimumLength && seen.Add(trimmed))
                {
                    patterns.Add(trimmed);
                }
            }
        }

        return patterns;
    }
}
