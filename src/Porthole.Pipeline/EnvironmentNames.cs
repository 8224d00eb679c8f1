namespace Porthole.Pipeline;

internal static class EnvironmentNames
{
    /// <summary>A name a shell can export: a letter or underscore, then letters, digits and underscores.</summary>
    public static bool IsValid(string name) =>
        name.Length > 0
        && (char.IsAsciiLetter(name[0]) || name[0] == '_')
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
