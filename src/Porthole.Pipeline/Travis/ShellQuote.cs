namespace Porthole.Pipeline.Travis;

internal static class ShellQuote
{
    /// <summary>A single-quoted bash word holding <paramref name="text"/> exactly: nothing in it is expanded.</summary>
    public static string Single(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
