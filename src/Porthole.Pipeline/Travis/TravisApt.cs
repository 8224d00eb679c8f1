using System.Text.RegularExpressions;
using Porthole.Contracts.Plans;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.Travis;

/// <summary>What <c>addons.apt</c> and <c>addons.apt_packages</c> ask for, gathered while they are read.</summary>
internal sealed class AptRequest
{
    public List<string> Packages { get; } = [];

    public List<AptSource> Sources { get; } = [];

    /// <summary><c>update: true</c>: the package lists are updated even when nothing else is asked for.</summary>
    public bool Update { get; set; }

    /// <summary><c>config: {retries: true}</c>: apt-get is tried up to three times, as travis_retry does.</summary>
    public bool Retries { get; set; }
}

/// <summary>
/// <c>addons.apt</c> (dialects.md §B12, TB <c>addons/apt.rb</c>): <c>apt: [pkg, …]</c> (a bare list or a scalar is
/// packages) or <c>{packages|package, sources|source, update, config: {retries}}</c>. A source is an alias of
/// <see cref="TravisAptSources"/> or <c>{sourceline, key_url}</c>. Every package must be a Debian package name and every
/// source a <c>deb</c> line or a <c>ppa:</c>, so nothing in them can reach the shell as code (the script quotes them
/// too). The step installs them as root in the job's container (<see cref="TravisAptScript"/>).
/// </summary>
internal static partial class TravisApt
{
    public const string StepName = "apt";

    public static void Read(Node value, AptRequest request, ErrorList errors)
    {
        if (value is not MapNode map)
        {
            ReadPackages(value, "addons.apt", request, errors);
            return;
        }

        foreach (var entry in map.Entries)
        {
            switch (entry.Name)
            {
                case "packages" or "package":
                    ReadPackages(entry.Value, $"addons.apt.{entry.Name}", request, errors);
                    break;
                case "sources" or "source":
                    ReadSources(entry.Value, $"addons.apt.{entry.Name}", request, errors);
                    break;
                case "update":
                    request.Update |= Expect.Bool(entry.Value, "addons.apt.update", errors) ?? false;
                    break;
                case "config":
                    ReadConfig(entry.Value, request, errors);
                    break;
                case "dist":
                    // travis-yml accepts it, travis-build ignores it: the image's own release is used.
                    break;
                default:
                    errors.Add(entry.Key, $"addons.apt.{entry.Name} is not an apt setting (packages, sources, update, config)");
                    break;
            }
        }
    }

    /// <summary>A package, or a list of them; lists inside the list (YAML anchors of package groups) are flattened.</summary>
    public static void ReadPackages(Node value, string what, AptRequest request, ErrorList errors)
    {
        switch (value)
        {
            case ScalarNode { IsNull: true }:
                break;
            case ScalarNode scalar when PackageName().IsMatch(scalar.Value):
                if (!request.Packages.Contains(scalar.Value, StringComparer.Ordinal))
                {
                    request.Packages.Add(scalar.Value);
                }

                break;
            case ScalarNode scalar:
                errors.Add(scalar, $"{what}: '{scalar.Value}' is not a Debian package name (lowercase letters, digits, '+', '-', '.'; optionally ':arch' and '=version')");
                break;
            case ListNode list:
                foreach (var item in list.Items)
                {
                    ReadPackages(item, what, request, errors);
                }

                break;
            default:
                errors.Add(value, $"{what} must be a package name or a list of them, found {value.Describe()}");
                break;
        }
    }

    /// <summary>The step that sets the sources up and installs the packages; null when nothing is asked for.</summary>
    public static StepPlan? Step(AptRequest request)
    {
        if (request.Packages.Count == 0 && request.Sources.Count == 0 && !request.Update)
        {
            return null;
        }

        return new StepPlan(
            StepKind.Run,
            StepName,
            TravisAptScript.Write(request),
            TravisReader.Shell,
            Environment: [],
            WorkingDirectory: null,
            Background: false,
            StepCondition.OnSuccess,
            NoOutputTimeout: null,
            AffectsResult: true,
            Phase: StepName)
        {
            AsRoot = true,
        };
    }

    private static void ReadSources(Node value, string what, AptRequest request, ErrorList errors)
    {
        switch (value)
        {
            case ScalarNode { IsNull: true }:
                break;
            case ListNode list:
                foreach (var item in list.Items)
                {
                    if (item is ListNode)
                    {
                        errors.Add(item, $"{what}: each source is an alias or a map {{sourceline, key_url}}, found a list");
                        continue;
                    }

                    ReadSources(item, what, request, errors);
                }

                break;
            case ScalarNode scalar:
                if (Source(scalar, what, errors) is { } source)
                {
                    request.Sources.Add(source);
                }

                break;
            case MapNode map:
                if (Source(map, what, errors) is { } written)
                {
                    request.Sources.Add(written);
                }

                break;
            default:
                errors.Add(value, $"{what} must be a list of sources, found {value.Describe()}");
                break;
        }
    }

    /// <summary>An alias; a bare <c>ppa:…</c> or <c>deb …</c> line is taken as the sourceline it is.</summary>
    private static AptSource? Source(ScalarNode alias, string what, ErrorList errors)
    {
        if (alias.Value.StartsWith("ppa:", StringComparison.Ordinal) || alias.Value.StartsWith("deb ", StringComparison.Ordinal))
        {
            return SourceLine(alias, what, errors) is { } line ? new AptSource(line, null) : null;
        }

        if (TravisAptSources.Find(alias.Value) is { } source)
        {
            return source;
        }

        errors.Add(alias, $"{what}: '{alias.Value}' is a Travis source alias Porthole does not know; write the source itself as {{sourceline: \"deb …\" (or \"ppa:owner/name\"), key_url: \"https://…\"}}");
        return null;
    }

    private static AptSource? Source(MapNode map, string what, ErrorList errors)
    {
        string? line = null;
        string? key = null;
        var valid = true;
        foreach (var entry in map.Entries)
        {
            switch (entry.Name)
            {
                case "sourceline":
                    line = entry.Value is ScalarNode { IsNull: false } text ? SourceLine(text, what, errors) : null;
                    if (entry.Value is not ScalarNode { IsNull: false })
                    {
                        errors.Add(entry.Value, $"{what}: sourceline must be a string, found {entry.Value.Describe()}");
                    }

                    valid &= line is not null;
                    break;
                case "key_url":
                    key = Expect.Text(entry.Value, $"{what}: key_url", errors);
                    if (key is not null && !KeyUrl().IsMatch(key))
                    {
                        errors.Add(entry.Value, $"{what}: key_url must be an http(s) URL, found '{key}'");
                        key = null;
                    }

                    valid &= key is not null;
                    break;
                default:
                    errors.Add(entry.Key, $"{what}: '{entry.Name}' is not a source setting (sourceline, key_url)");
                    break;
            }
        }

        if (!map.Has("sourceline"))
        {
            errors.Add(map, $"{what}: a source map needs its sourceline (\"deb …\" or \"ppa:owner/name\")");
            return null;
        }

        return valid && line is not null ? new AptSource(line, key) : null;
    }

    private static string? SourceLine(ScalarNode line, string what, ErrorList errors)
    {
        var text = line.Value.Trim();
        if (PpaLine().IsMatch(text) || DebLine().IsMatch(text))
        {
            return text;
        }

        errors.Add(line, $"{what}: the sourceline '{line.Value}' is neither a one-line 'deb URI SUITE [COMPONENT …]' nor 'ppa:owner/name'");
        return null;
    }

    private static void ReadConfig(Node value, AptRequest request, ErrorList errors)
    {
        if (Expect.Map(value, "addons.apt.config", errors) is not { } map)
        {
            return;
        }

        foreach (var entry in map.Entries)
        {
            if (entry.Name == "retries")
            {
                request.Retries |= Expect.Bool(entry.Value, "addons.apt.config.retries", errors) ?? false;
            }
            else
            {
                errors.Add(entry.Key, $"addons.apt.config.{entry.Name} is not an apt config setting (retries)");
            }
        }
    }

    /// <summary>A Debian package name (Policy §5.6.1), with an optional <c>:arch</c> and <c>=version</c> or <c>/release</c>.</summary>
    [GeneratedRegex(@"^[a-z0-9][a-z0-9+.-]*(:[a-z0-9-]+)?(=[A-Za-z0-9.+~:_-]+|/[a-z0-9.+-]+)?\z", RegexOptions.CultureInvariant)]
    internal static partial Regex PackageName();

    [GeneratedRegex(@"^ppa:[A-Za-z0-9][A-Za-z0-9._+-]*/[A-Za-z0-9][A-Za-z0-9._+-]*\z", RegexOptions.CultureInvariant)]
    internal static partial Regex PpaLine();

    /// <summary>One line, printable, no quote characters that apt would not read either.</summary>
    [GeneratedRegex(@"^deb(-src)? [^\p{Cc}]{3,1000}\z", RegexOptions.CultureInvariant)]
    private static partial Regex DebLine();

    [GeneratedRegex(@"^https?://[^\s\p{Cc}]{1,1000}\z", RegexOptions.CultureInvariant)]
    private static partial Regex KeyUrl();
}
