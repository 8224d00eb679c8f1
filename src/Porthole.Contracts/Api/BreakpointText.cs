namespace Porthole.Contracts.Api;

/// <summary>An attempt's breakpoint (R-BEY-4) as the job page and <c>porthole job</c> say it.</summary>
public static class BreakpointText
{
    /// <summary>"debug run, stopping before step 2 (Run tests)", "debug run, stopping at the first failing step"; null without a breakpoint.</summary>
    public static string? Of(AttemptView attempt)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        if (attempt.BreakOnFailure)
        {
            return "debug run, stopping at the first failing step";
        }

        if (attempt.BreakBefore is not { } before)
        {
            return null;
        }

        var step = attempt.BreakBeforeStep is { } name ? $" ({name})" : "";
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"debug run, stopping before step {before}{step}");
    }
}
