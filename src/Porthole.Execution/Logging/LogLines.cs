using System.Globalization;

namespace Porthole.Execution.Logging;

/// <summary>The runner's own lines in a node's log. Each ends with a newline; bold headers keep ANSI simple.</summary>
internal static class LogLines
{
    private const string Bold = "\u001b[1m";
    private const string Reset = "\u001b[0m";

    public static string Header(string stepName) => $"{Bold}==> {OneLine(stepName)}{Reset}\n";

    public static string BackgroundHeader(string stepName) => $"{Bold}==> {OneLine(stepName)} (background){Reset}\n";

    /// <summary>CircleCI's wording, which users search for.</summary>
    public static string ExitCode(int exitCode) =>
        string.Create(CultureInfo.InvariantCulture, $"Exited with code exit status {exitCode}\n");

    public static string Command(IEnumerable<string> arguments) =>
        "$ " + string.Join(' ', arguments.Select(Quote)) + "\n";

    public static string NoOutput(TimeSpan timeout) =>
        $"Too long with no output (exceeded {DurationText.Format(timeout)}): the step printed nothing for that long, so Porthole ended it and its child processes. Raise the step's no_output_timeout if it is expected to be silent.\n";

    public static string JobTimeCap(TimeSpan cap) =>
        $"The job reached its time cap of {DurationText.Format(cap)}: Porthole ended the running step and skips the steps after it.\n";

    public static string Canceled() =>
        "The job was canceled: Porthole ended the running step and skips the steps after it.\n";

    public static string LogFailed() =>
        "The node's log could not be delivered: Porthole ended the running step and skips the steps after it.\n";

    public static string BackgroundEnded(string stepName) =>
        $"Ended the background step '{stepName}' at the end of the job.\n";

    public static string IsolationWarning(string warning) => $"\u001b[33mPorthole: {warning}\u001b[0m\n";

    public static string ResourceClassIgnored(string resourceClass) =>
        $"Porthole: resource_class {OneLine(resourceClass)} is ignored: this runner has no labels, and it runs the job on its own machine.\n";

    /// <summary>A line the server gave the node for its log (<see cref="Porthole.Contracts.Runners.NodeAssignment.Notices"/>).</summary>
    public static string ServerNotice(string notice) => $"\u001b[33mPorthole: {OneLine(notice)}\u001b[0m\n";

    public static string StartFailed(string message) => $"Porthole could not run this step: {message}\n";

    /// <summary>"Enable SSH" that threw: <c>Porthole could not enable SSH: MESSAGE</c>.</summary>
    public static string SectionFailed(string sectionName, string message) =>
        $"Porthole could not {Verb(OneLine(sectionName))}: {message.TrimEnd()}\n";

    public static string SectionCanceled() => "The job was canceled: Porthole ended this section.\n";

    public static string Truncated(long capBytes) =>
        $"Log truncated: the node's log reached the {ByteSizeText.Format(capBytes)} cap; later output is discarded (the steps keep running).\n";

    /// <summary>A step named after its multi-line command (CircleCI's default name) gets its first line as header.</summary>
    private static string OneLine(string name)
    {
        var lines = name.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length switch
        {
            0 => string.Empty,
            1 => lines[0],
            _ => lines[0] + " …",
        };
    }

    /// <summary>"Enable SSH" → "enable SSH"; an acronym at the start ("SSH access") stays.</summary>
    private static string Verb(string name) =>
        name.Length > 0 && char.IsUpper(name[0]) && (name.Length == 1 || !char.IsUpper(name[1]))
            ? char.ToLowerInvariant(name[0]) + name[1..]
            : name;

    private static string Quote(string argument) =>
        argument.Length > 0 && argument.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:=@%+,".Contains(c, StringComparison.Ordinal))
            ? argument
            : "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
