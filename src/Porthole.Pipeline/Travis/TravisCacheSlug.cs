using System.Security.Cryptography;
using System.Text;

namespace Porthole.Pipeline.Travis;

/// <summary>
/// Travis's cache identity (§B12 <c>cache_slug</c>, TB <c>script.rb#cache_slug_keys</c> and each language script's
/// <c>cache_slug</c>): <c>cache-OS[-DIST][-OSX_IMAGE]-ENVHASH</c>, the parts a job does not set left out as travis-build
/// leaves them, then the language's suffixes (<c>--rvm-default--gemfile-Gemfile</c>) from the job's values or the
/// language's defaults. Two jobs of one build share a cache exactly when their slugs are equal. Every character a key
/// cannot carry as it is (a slash, a brace that would read as a template) is percent-encoded, as travis-build's
/// <c>foo%2FGemfile</c>.
/// </summary>
internal static class TravisCacheSlug
{
    /// <summary>The suffixes of each language script, in the order travis-build appends them.</summary>
    private static readonly Dictionary<string, Suffix[]> Suffixes = new(StringComparer.Ordinal)
    {
        ["ruby"] = [new("--jdk-", ["jdk"], null), Rvm, Gemfile],
        ["objective-c"] = [Rvm, Gemfile],
        ["node_js"] = [Node],
        ["elm"] = [Node, new("-elm-", ["elm"], "latest-0.19.1")],
        ["python"] = [new("--python-", ["python"], "3.10")],
        ["go"] = [new("--go-", ["go"], "1.11.x")],
        ["java"] = [Jdk],
        ["php"] = [Jdk, new("--php-", ["php"], "7.2")],
        ["scala"] = [Jdk, new("--scala-", ["scala"], "2.12.8")],
        ["clojure"] = [Jdk, new("--lein-", ["lein"], "lein")],
        ["rust"] = [new("--cargo-", ["rust"], "stable")],
        ["c"] = [new("--compiler-", ["compiler"], "gcc")],

        // travis-build writes g++ as gpp: a + would not survive its cache URL.
        ["cpp"] = [new("--compiler-", ["compiler"], "g++", PlusAsP: true)],
        ["perl"] = [new("--perl-", ["perl"], "5.14")],
        ["perl6"] = [new("--perl6-", ["perl6"], "latest")],
        ["erlang"] = [new("--otp-", ["otp_release"], "R14B04")],
        ["elixir"] = [new("--otp-", ["otp_release"], "17.4"), new("--elixir-", ["elixir"], "1.0.2")],
        ["d"] = [new("--d-", ["d"], "dmd")],
    };

    private static Suffix Rvm => new("--rvm-", ["rvm", "ruby", "rbenv"], "default");

    private static Suffix Gemfile => new("--gemfile-", ["gemfile", "gemfiles"], "Gemfile");

    private static Suffix Jdk => new("--jdk-", ["jdk"], "default");

    private static Suffix Node => new("--node-", ["node_js", "node"], "");

    /// <param name="script">The job's language script (<see cref="TravisLanguages.Script"/>).</param>
    /// <param name="value">A key's value for the job (its own, else the root's); the first when it is a list.</param>
    /// <param name="environment">The job's variables (env.global and its own), secure ones never among them.</param>
    public static string For(string script, Func<string, string?> value, IReadOnlyList<EnvWord> environment)
    {
        var parts = new List<string> { value("os") ?? "linux" };
        parts.AddRange(new[] { value("dist"), value("osx_image") }.OfType<string>());
        var slug = new StringBuilder("cache-");
        slug.AppendJoin('-', parts.Select(Escape)).Append('-').Append(EnvironmentHash(environment));
        foreach (var suffix in Suffixes.GetValueOrDefault(script, []))
        {
            var text = suffix.Keys.Select(value).FirstOrDefault(given => given is not null) ?? suffix.Default;
            if (text is not null)
            {
                slug.Append(suffix.Prefix).Append(Escape(suffix.PlusAsP ? text.Replace('+', 'p') : text));
            }
        }

        return slug.ToString();
    }

    /// <summary>
    /// The SHA-256 (hex) of the job's variables as sorted <c>NAME=value</c> lines, so the same variables in another
    /// order give the same cache and any other value another (TD caching.md "Caches and build matrices").
    /// </summary>
    public static string EnvironmentHash(IReadOnlyList<EnvWord> environment)
    {
        var lines = environment.Select(word => $"{word.Name}={word.Value}").Order(StringComparer.Ordinal);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', lines))));
    }

    /// <summary>Letters, digits, <c>.</c>, <c>_</c> and <c>-</c> as they are; every other byte of the UTF-8 as <c>%XX</c>.</summary>
    private static string Escape(string text)
    {
        var escaped = new StringBuilder(text.Length);
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            if (b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9') or (byte)'.' or (byte)'_' or (byte)'-')
            {
                escaped.Append((char)b);
            }
            else
            {
                escaped.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return escaped.ToString();
    }

    /// <param name="Keys">The config keys that give the value, the first given winning (aliases after the key).</param>
    /// <param name="Default">The language's default; null: no suffix unless the job gives a value.</param>
    private sealed record Suffix(string Prefix, string[] Keys, string? Default, bool PlusAsP = false);
}
