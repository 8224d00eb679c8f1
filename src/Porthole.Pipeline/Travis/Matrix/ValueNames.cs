namespace Porthole.Pipeline.Travis.Matrix;

/// <summary>
/// How travis-yml spells the values of <c>language</c>, <c>os</c>, <c>arch</c> and <c>dist</c>: lower case, with the
/// aliases of TY <c>schema.json</c> replaced (<c>javascript</c> is <c>node_js</c>, <c>mac</c> is <c>osx</c>). The support
/// rule (§B9) and the matching of exclude and allow_failures entries compare these spellings.
/// </summary>
internal static class ValueNames
{
    private static readonly Dictionary<string, string> Languages = new(StringComparer.Ordinal)
    {
        ["c++"] = "cpp",
        ["golang"] = "go",
        ["jvm"] = "java",
        ["javascript"] = "node_js",
        ["js"] = "node_js",
        ["node"] = "node_js",
        ["objective_c"] = "objective-c",
        ["swift"] = "objective-c",
        ["bash"] = "shell",
        ["minimal"] = "shell",
        ["sh"] = "shell",
    };

    private static readonly Dictionary<string, string> OperatingSystems = new(StringComparer.Ordinal)
    {
        ["ubuntu"] = "linux",
        ["mac"] = "osx",
        ["macos"] = "osx",
        ["macosx"] = "osx",
        ["ios"] = "osx",
        ["win"] = "windows",
        ["bsd"] = "freebsd",
    };

    private static readonly Dictionary<string, string> Architectures = new(StringComparer.Ordinal)
    {
        ["x86_64"] = "amd64",
        ["x64"] = "amd64",
        ["power"] = "ppc64le",
        ["ppc"] = "ppc64le",
        ["ppc64"] = "ppc64le",
        ["x86"] = "i386",
    };

    /// <summary>True for the keys whose values are normalized.</summary>
    public static bool Normalizes(string key) => key is "language" or "os" or "arch" or "dist";

    /// <summary>The value Travis uses for <paramref name="value"/> of <paramref name="key"/>.</summary>
    public static string Normalize(string key, string value)
    {
        var lower = value.Trim().ToLowerInvariant();
        var aliases = key switch
        {
            "language" => Languages,
            "os" => OperatingSystems,
            "arch" => Architectures,
            _ => null,
        };
        return aliases?.GetValueOrDefault(lower) ?? lower;
    }
}
