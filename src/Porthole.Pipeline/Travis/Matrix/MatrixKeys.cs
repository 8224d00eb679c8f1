namespace Porthole.Pipeline.Travis.Matrix;

/// <summary>
/// The keys of travis-yml's matrix (TY <c>schema.json</c> <c>expand</c>, <c>matrix.rb</c>): which keys expand the build
/// matrix and in what order, which root keys jobs do not inherit, and the other names Travis accepts for keys.
/// </summary>
internal static class MatrixKeys
{
    public const string Env = "env";

    /// <summary>The expansion keys in Travis's global order, <c>env</c> last (§B9): the first is the outermost loop.</summary>
    public static IReadOnlyList<string> Expand { get; } =
    [
        "os", "arch", "compiler", "osx_image", "jdk", "crystal", "dotnet", "mono", "solution", "d", "dart", "dart_task",
        "elixir", "otp_release", "elm", "node_js", "go", "hhvm", "php", "ghc", "haxe", "julia", "matlab", "nix", "perl",
        "perl6", "python", "r", "rvm", "gemfile", "xcode_scheme", "xcode_sdk", "rust", "scala", "smalltalk",
        "smalltalk_config", "smalltalk_vm", Env,
    ];

    private static readonly HashSet<string> ExpandSet = new(Expand, StringComparer.Ordinal);

    /// <summary>Root keys that are neither matrix keys nor given to every job (TY <c>Matrix::DROP</c>).</summary>
    private static readonly HashSet<string> NotShared = new(StringComparer.Ordinal)
    {
        "jobs", "import", "stages", "notifications", "version", "allow_failure", "global_env", "merge_mode",
    };

    /// <summary>Key aliases of the root and of job entries (TY <c>schema.json</c> <c>aliases</c>): the alias, then Travis's name.</summary>
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.Ordinal)
    {
        ["matrix"] = "jobs",
        ["ruby"] = "rvm",
        ["rbenv"] = "rvm",
        ["gemfiles"] = "gemfile",
        ["node"] = "node_js",
        ["virtual_env"] = "virtualenv",
        ["use_bioc"] = "bioc_required",
    };

    public static bool IsExpandKey(string key) => ExpandSet.Contains(key);

    /// <summary>A root key every job inherits (§B9 step 4), when its value is not blank.</summary>
    public static bool IsShared(string key) => !ExpandSet.Contains(key) && !NotShared.Contains(key);

    /// <summary>Travis's name for <paramref name="key"/>.</summary>
    public static string Canonical(string key) => Aliases.GetValueOrDefault(key, key);
}
