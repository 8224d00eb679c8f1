using System.Text.RegularExpressions;
using Porthole.Contracts.Plans;
using Porthole.Execution.Processes;

namespace Porthole.Execution.Executors;

/// <summary>
/// Whether the runner's own system has the language version a Travis job asks for, for a runner that runs docker jobs
/// on its host (issue 13): the runtime's own version command is asked (<c>node --version</c>, <c>python3 --version</c>,
/// <c>ruby --version</c>, <c>go version</c>, …) and the version the job gives must be the host's or a prefix of it at a
/// dot (<c>18</c> matches 18.19.0, <c>3.8</c> matches 3.8.10 but not 3.80). Travis's words for "the newest" (<c>node</c>,
/// <c>stable</c>, <c>latest</c>, <c>lts/*</c>, …) take whatever the host has.
/// </summary>
public static partial class HostRuntimes
{
    private static readonly string[] AnyVersion = ["node", "stable", "latest", "lts/*", "current", "default", "system", "release"];

    /// <summary>The command that prints each language's version, and the version in what it prints.</summary>
    private static readonly Dictionary<string, (string Program, string[] Arguments)> Probes = new(StringComparer.Ordinal)
    {
        ["node_js"] = ("node", ["--version"]),
        ["python"] = ("python3", ["--version"]),
        ["ruby"] = ("ruby", ["--version"]),
        ["go"] = ("go", ["version"]),
        ["php"] = ("php", ["--version"]),
        ["rust"] = ("rustc", ["--version"]),
        ["perl"] = ("perl", ["-e", "print substr($^V, 1)"]),
        ["elixir"] = ("elixir", ["--short-version"]),
    };

    /// <summary>
    /// Null when the host serves <paramref name="choice"/>; otherwise why not, naming the version and what would serve it
    /// (an image table entry on a runner with a Docker engine).
    /// </summary>
    public static async Task<string?> MissingAsync(ImageChoice choice, string? image, CancellationToken cancellationToken)
    {
        if (choice.Kind != ImageChoiceKind.Language || choice.Version is not { } wanted || AnyVersion.Contains(wanted, StringComparer.OrdinalIgnoreCase))
        {
            return null;
        }

        var serves = image is { Length: > 0 } ? $"a runner with a Docker engine, in its image ({image})" : $"a runner with a Docker engine whose image table (Runner:Images) maps '{choice}'";
        if (!Probes.TryGetValue(choice.Name, out var probe))
        {
            return $"{choice} cannot be checked on this runner's own system (Runner:Docker:RunOnShell runs docker jobs there): run the job on {serves}";
        }

        var result = await HostCommand.RunAsync(probe.Program, probe.Arguments, cancellationToken);
        var found = result.Succeeded ? VersionIn(result.Output + result.Error) : null;
        if (found is null)
        {
            return $"{choice} is not installed on this runner's own system ({probe.Program} {string.Join(' ', probe.Arguments)} {(result.ExitCode == 127 ? "was not found" : $"exited with {result.ExitCode}")}; Runner:Docker:RunOnShell runs docker jobs there): install it, or run the job on {serves}";
        }

        return Matches(found, wanted)
            ? null
            : $"{choice} is not on this runner's own system, which has {choice.Name} {found} (Runner:Docker:RunOnShell runs docker jobs there): install it, or run the job on {serves}";
    }

    /// <summary>Whether the host's <paramref name="found"/> version is the <paramref name="wanted"/> one or within it at a dot.</summary>
    public static bool Matches(string found, string wanted)
    {
        var version = wanted.Trim().TrimStart('v');
        var plain = version.EndsWith(".x", StringComparison.Ordinal) ? version[..^2] : version;
        return found == plain || found.StartsWith(plain + ".", StringComparison.Ordinal);
    }

    /// <summary>The first dotted version in a version command's output (<c>v18.19.0</c>, <c>Python 3.11.2</c>, <c>go1.21.1</c>).</summary>
    public static string? VersionIn(string output) => Version().Match(output) is { Success: true } match ? match.Value : null;

    [GeneratedRegex(@"(?<![0-9.])[0-9]+(\.[0-9]+)+", RegexOptions.None, matchTimeoutMilliseconds: 100)]
    private static partial Regex Version();
}
