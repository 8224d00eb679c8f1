using Porthole.Pipeline.Travis.Languages;

namespace Porthole.Pipeline.Travis;

/// <summary>The language questions the reader asks by name; <see cref="TravisLanguageCatalog"/> answers them.</summary>
internal static class TravisLanguages
{
    /// <summary>Travis's language when a config names none (Alamofire's, for one).</summary>
    public const string Default = "ruby";

    /// <summary>
    /// Scripts whose default install phase does nothing. Every other language installs dependencies by
    /// default (bundle install, npm install, mvn install, ...).
    /// </summary>
    private static readonly HashSet<string> WithoutDefaultInstall = new(StringComparer.Ordinal) { "generic", "c", "cpp" };

    public static bool HasDefaultInstall(string language) => !WithoutDefaultInstall.Contains(Script(language));

    /// <summary>
    /// The travis-build script that runs a job of <paramref name="language"/> (§B8): looked up case-insensitively,
    /// aliases resolved, <c>java*</c> is Java, and any language travis-build has no script for runs the Ruby one.
    /// </summary>
    public static string Script(string language) => TravisLanguageCatalog.Find(language, out _).Name;
}
