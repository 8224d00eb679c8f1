namespace Porthole.Ssh.Endpoints;

/// <summary>Quoting for the POSIX shell: a value in single quotes, where only the quote itself needs care.</summary>
internal static class ShellQuote
{
    public static string Single(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
