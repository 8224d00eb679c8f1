namespace Porthole.Pipeline.Travis;

internal static class TravisLanguages
{
    /// <summary>Travis's language when a config names none (Alamofire's, for one).</summary>
    public const string Default = "ruby";

    /// <summary>
    /// Languages whose default install phase does nothing. Every other language installs dependencies by
    /// default (bundle install, npm install, mvn install, ...), which Porthole does not do.
    /// </summary>
    private static readonly HashSet<string> WithoutDefaultInstall = new(StringComparer.OrdinalIgnoreCase)
    {
        "generic", "minimal", "shell", "sh", "bash", "c", "cpp",
    };

    public static bool HasDefaultInstall(string language) => !WithoutDefaultInstall.Contains(language);
}
