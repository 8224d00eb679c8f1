using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.Travis.Languages;

/// <summary>
/// The settings of one job that its language's setup and default phases read (§B8), from the job's merged config
/// once the matrix is expanded, with travis-build's defaults where the job gives none. Text such as
/// <see cref="BundlerArgs"/> is the config's own and goes into the job's commands as written, as on Travis.
/// </summary>
internal sealed record TravisJobSettings
{
    /// <summary>The runtime version: the value of the language's version key, else its default (perl 5.1 read as 5.10, as TB does).</summary>
    public string? Version { get; init; }

    /// <summary>Whether the job gave <see cref="Version"/> itself (node exports TRAVIS_NODE_VERSION only then).</summary>
    public bool VersionGiven { get; init; }

    public string Os { get; init; } = "linux";

    public string? Dist { get; init; }

    /// <summary>The <c>jdk</c> value; <c>default</c> for the JVM languages (and php) when none is given, null for others.</summary>
    public string? Jdk { get; init; }

    public string Gemfile { get; init; } = "Gemfile";

    /// <summary>The job names its gemfile, so the setup fails when it is missing (TB <c>bundler.rb#setup</c>).</summary>
    public bool GemfileGiven { get; init; }

    public string? BundlerArgs { get; init; }

    public string? NpmArgs { get; init; }

    /// <summary><c>go_import_path</c>, else <c>github.com/</c> and the repository slug; null when neither is known (then the job's <c>TRAVIS_REPO_SLUG</c> is used).</summary>
    public string? GoImportPath { get; init; }

    public string GobuildArgs { get; init; } = "-v";

    public string? SbtArgs { get; init; }

    /// <summary>The <c>compiler</c> value; gcc (c) or g++ (cpp) when none is given.</summary>
    public string? Compiler { get; init; }

    public string? Solution { get; init; }

    public string Mono { get; init; } = "latest";

    public string Dotnet { get; init; } = "none";

    /// <summary>Elixir's OTP release (<c>otp_release</c>, default 17.4); for erlang it is <see cref="Version"/>.</summary>
    public string? OtpRelease { get; init; }

    public string? Lein { get; init; }

    /// <summary><c>virtualenv: {system_site_packages: true}</c> (python).</summary>
    public bool SystemSitePackages { get; init; }

    public string Podfile { get; init; } = "Podfile";

    /// <summary>objective-c's <c>xcode_scheme</c>, <c>xcode_project</c>, <c>xcode_workspace</c>, <c>xcode_sdk</c>, <c>xcode_destination</c>, by their names without <c>xcode_</c>.</summary>
    public IReadOnlyDictionary<string, string> Xcode { get; init; } = new Dictionary<string, string>();

    public string? RepoSlug { get; init; }

    /// <summary>The cache kinds the job turns on or off (<c>cache: bundler</c>, <c>cache: {npm: false}</c>, <c>cache: false</c>).</summary>
    public IReadOnlyDictionary<string, bool> CacheKinds { get; init; } = new Dictionary<string, bool>();

    /// <summary>The language whose image runs the job, for <c>TravisImages.ForLanguage</c>: the language, or <c>mono</c> for a csharp job without dotnet.</summary>
    public string ImageLanguage { get; init; } = "ruby";

    /// <summary>The version <c>TravisImages.ForLanguage</c> maps to an image: the JDK for the JVM languages, dotnet or mono for csharp, else <see cref="Version"/>.</summary>
    public string? ImageVersion { get; init; }

    /// <summary>Whether the job caches <paramref name="kind"/>: as it says, else travis-build's default (npm on, the rest off; TB <c>data.rb</c>).</summary>
    public bool Caches(string kind) => CacheKinds.TryGetValue(kind, out var on) ? on : kind == "npm";

    /// <summary>Reads the settings of a job whose matrix keys each hold one value (a list's first value is taken, as TB's <c>Array(x).first</c>).</summary>
    public static TravisJobSettings From(MapNode job, TravisLanguage language, string? repoSlug, ErrorList errors) =>
        TravisJobSettingsReader.Read(job, language, repoSlug, errors);
}
