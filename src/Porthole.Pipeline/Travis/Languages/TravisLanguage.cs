namespace Porthole.Pipeline.Travis.Languages;

/// <summary>
/// A Travis language as travis-build runs it (§B8): the script that sets it up and gives its default phases, the
/// matrix keys it expands, and the key, default and variable of its runtime version.
/// </summary>
/// <param name="Name">travis-build's script name: ruby, node_js, python, go, java, php, rust, c, cpp, csharp, elixir, erlang, perl, scala, generic, objective-c, …</param>
/// <param name="VersionKeys">The matrix keys this language expands, by their own names (rvm, not its alias ruby).</param>
/// <param name="VersionKey">The key whose value picks the runtime; null for generic.</param>
/// <param name="DefaultVersion">The version travis-build uses when the job gives none (TB <c>DEFAULTS</c>).</param>
/// <param name="VersionVariable">The variable travis-build exports the version in (TB <c>export</c>).</param>
internal sealed record TravisLanguage(
    string Name,
    IReadOnlyList<string> VersionKeys,
    string? VersionKey,
    string? DefaultVersion,
    string? VersionVariable)
{
    /// <summary>Whether Porthole knows travis-build's default install and script for it (§B8 and a few simple others).</summary>
    public bool HasKnownDefaults { get; init; } = true;
}
