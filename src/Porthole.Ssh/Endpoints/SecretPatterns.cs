using System.Text;
using Porthole.Contracts.Runners;
using Porthole.Execution.Logging;

namespace Porthole.Ssh.Endpoints;

/// <summary>
/// The job's secrets by the log's rule (<see cref="SecretValues"/>), for what a session shows beside the log: the command
/// of the SSH audit, and what a read-only watcher of a debug session sees (<see cref="Debugging.WatchFilter"/>).
/// </summary>
internal sealed class SecretPatterns
{
    public const int MinimumLength = SecretValues.MinimumLength;

    public const string Mask = SecretValues.Mask;

    private SecretPatterns(IReadOnlyList<string> values) => Values = values;

    public static SecretPatterns None { get; } = new([]);

    public IReadOnlyList<string> Values { get; }

    public static SecretPatterns Of(IEnumerable<ProjectVariable> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        return new SecretPatterns(SecretValues.Patterns(variables.Where(v => v.Secret).Select(v => v.Value)));
    }

    /// <summary>The job's secrets: its secret variables' values and its SSH private keys (<see cref="NodeAssignment.SecretValues"/>).</summary>
    public static SecretPatterns Of(NodeAssignment assignment)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        return new SecretPatterns(SecretValues.Patterns(assignment.SecretValues()));
    }

    /// <summary>The text with every secret in it replaced by <see cref="Mask"/>; overlapping secrets become one mask.</summary>
    public string MaskText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var matches = Matches(text);
        if (matches.Count == 0)
        {
            return text;
        }

        var masked = new StringBuilder(text.Length);
        var from = 0;
        foreach (var (start, end) in matches)
        {
            masked.Append(text, from, start - from).Append(Mask);
            from = end;
        }

        return masked.Append(text, from, text.Length - from).ToString();
    }

    /// <summary>Every occurrence of every secret in the text as [start, end), overlapping ones merged, in order.</summary>
    public List<(int Start, int End)> Matches(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var found = new List<(int Start, int End)>();
        foreach (var value in Values)
        {
            for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + 1, StringComparison.Ordinal))
            {
                found.Add((at, at + value.Length));
            }
        }

        found.Sort((a, b) => a.Start.CompareTo(b.Start));
        var merged = new List<(int Start, int End)>();
        foreach (var match in found)
        {
            if (merged.Count > 0 && match.Start < merged[^1].End)
            {
                merged[^1] = (merged[^1].Start, Math.Max(merged[^1].End, match.End));
            }
            else
            {
                merged.Add(match);
            }
        }

        return merged;
    }

    /// <summary>The patterns for a program on the node: one a line, base64 of its UTF-8 bytes (a pattern may hold any byte but a newline).</summary>
    public string FileText()
    {
        var text = new StringBuilder();
        foreach (var value in Values)
        {
            text.Append(Convert.ToBase64String(Encoding.UTF8.GetBytes(value))).Append('\n');
        }

        return text.ToString();
    }
}
