using System.Text;

namespace Porthole.Pipeline.Travis;

/// <summary>
/// The comment block a phase script starts with: what the phase does and its commands. The plan printer
/// reads the commands back from it, since the script itself is mostly machinery.
/// </summary>
internal static class PhaseHeader
{
    private const string CommandPrefix = "#   $ ";

    public static void Write(StringBuilder script, TravisPhase phase, IReadOnlyList<string> commands)
    {
        var rule = phase.Mode == PhaseMode.StopAtFirstFailure
            ? "the commands run in order and the first that fails stops the job"
            : "every command runs, and the phase fails if any of them did";
        script.Append("# Travis ").Append(phase.Name).Append(": ").Append(rule).Append(".\n");
        foreach (var command in commands)
        {
            var lines = command.TrimEnd('\n').Split('\n');
            script.Append(CommandPrefix).Append(lines[0].TrimEnd('\r'));
            script.Append(lines.Length > 1 ? " …\n" : "\n");
        }
    }

    /// <summary>The first line of each command, as <see cref="Write"/> listed them.</summary>
    public static IReadOnlyList<string> ReadCommands(string script) =>
    [
        .. script.Split('\n')
            .Skip(1)
            .TakeWhile(line => line.StartsWith(CommandPrefix, StringComparison.Ordinal))
            .Select(line => line[CommandPrefix.Length..]),
    ];
}
