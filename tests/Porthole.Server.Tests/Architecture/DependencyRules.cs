using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Porthole.Server.Tests.Architecture;

/// <summary>Reads the rules block of docs/architecture.md and checks the projects under src/ against it.</summary>
internal static partial class DependencyRules
{
    private const string Marker = "<!-- dependency-rules -->";

    public static List<string> Violations(string root, string architecture)
    {
        var rules = Parse(architecture);
        var violations = new List<string>();
        var projects = Directory.GetDirectories(Path.Combine(root, "src"))
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(name => File.Exists(Path.Combine(root, "src", name, name + ".csproj")))
            .Order(StringComparer.Ordinal)
            .ToList();
        foreach (var project in projects)
        {
            if (!rules.TryGetValue(project, out var rule))
            {
                violations.Add($"src/{project} has no line in the dependency rules");
                continue;
            }

            var csproj = $"src/{project}/{project}.csproj";
            var references = References(Path.Combine(root, csproj));
            violations.AddRange(references.Except(rule.References).Order(StringComparer.Ordinal)
                .Select(extra => $"{csproj} references {extra}, which its rule does not name"));
            violations.AddRange(rule.References.Except(references).Order(StringComparer.Ordinal)
                .Select(missing => $"{csproj} does not reference {missing}, which its rule names"));
            if (rule.Namespaces.Count > 0)
            {
                violations.AddRange(NamespaceViolations(root, project, rule.Namespaces));
            }

            if (rule.OutsideWebHost)
            {
                violations.AddRange(WebHostViolations(root, project));
            }
        }

        return violations;
    }

    private static Dictionary<string, Rule> Parse(string architecture)
    {
        var start = architecture.IndexOf(Marker, StringComparison.Ordinal);
        if (start < 0)
        {
            throw new InvalidOperationException($"docs/architecture.md has no {Marker} block.");
        }

        var lines = architecture[(start + Marker.Length)..].Split('\n').Select(line => line.Trim()).SkipWhile(line => !line.StartsWith("```", StringComparison.Ordinal)).Skip(1);
        var rules = new Dictionary<string, Rule>(StringComparer.Ordinal);
        foreach (var line in lines.TakeWhile(line => !line.StartsWith("```", StringComparison.Ordinal)).Where(line => line.Length > 0))
        {
            var match = RuleLine().Match(line);
            if (!match.Success)
            {
                throw new InvalidOperationException($"A dependency rule cannot be read: '{line}'.");
            }

            rules[match.Groups["project"].Value] = new Rule(
                Names(match.Groups["references"].Value), Names(match.Groups["namespaces"].Value), match.Groups["outside"].Success);
        }

        return rules;
    }

    private static HashSet<string> Names(string list) =>
        list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);

    private static HashSet<string> References(string csproj) =>
        XDocument.Load(csproj).Descendants("ProjectReference")
            .Select(reference => Path.GetFileNameWithoutExtension(((string?)reference.Attribute("Include") ?? string.Empty).Replace('\\', '/')))
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>Every use, in a using directive, a qualified name or a doc comment, of a namespace of a limited project that the rule does not list.</summary>
    private static IEnumerable<string> NamespaceViolations(string root, string project, IReadOnlySet<string> allowed)
    {
        var limited = allowed.Select(ProjectOf).ToHashSet(StringComparer.Ordinal);
        foreach (var file in SourceFiles(Path.Combine(root, "src", project)))
        {
            var lines = File.ReadAllLines(file);
            for (var index = 0; index < lines.Length; index++)
            {
                foreach (Match use in QualifiedName().Matches(lines[index]))
                {
                    // A project's bare name (prose such as "Porthole.Ssh's parser") names no namespace of it.
                    var name = use.Value;
                    if (name.Split('.').Length > 2 && limited.Contains(ProjectOf(name)) && !allowed.Any(space => name == space || name.StartsWith(space + ".", StringComparison.Ordinal)))
                    {
                        var owner = ProjectOf(name);
                        var mayUse = string.Join(", ", allowed.Where(space => ProjectOf(space) == owner).Order(StringComparer.Ordinal));
                        yield return $"{Path.GetRelativePath(root, file).Replace('\\', '/')}:{index + 1} uses {Namespace(name)}; {project} may use only {mayUse} of {owner}";
                    }
                }
            }
        }
    }

    /// <summary>
    /// How a project marked <c>(outside the web host)</c> takes ASP.NET Core in: an SDK other than Microsoft.NET.Sdk, the
    /// Microsoft.AspNetCore.App framework, an AspNetCore package, a global using of it, a project it references (at any
    /// depth) that does one of those, or a <c>Microsoft.AspNetCore</c> name in a source file. Only the namespace tells a
    /// source's layer apart from nothing: the core and the web host share the <c>Porthole.Server</c> namespaces.
    /// </summary>
    private static IEnumerable<string> WebHostViolations(string root, string project)
    {
        var csproj = $"src/{project}/{project}.csproj";
        foreach (var reason in WebHostParts(Path.Combine(root, csproj)))
        {
            yield return reason.StartsWith("uses the SDK", StringComparison.Ordinal)
                ? $"{csproj} {reason}; {project} is outside the web host (Microsoft.NET.Sdk only)"
                : $"{csproj} {reason}; {project} is outside the web host";
        }

        // Breadth first, so each project that brings the web host is named once, with the direct reference it comes through.
        var seen = new HashSet<string>(StringComparer.Ordinal) { Path.GetFullPath(Path.Combine(root, csproj)) };
        var queue = new Queue<(string Csproj, string Direct)>(
            ReferencedFiles(Path.Combine(root, csproj)).Select(reference => (reference, Path.GetFileNameWithoutExtension(reference))));
        while (queue.TryDequeue(out var next))
        {
            if (!seen.Add(next.Csproj) || !File.Exists(next.Csproj))
            {
                continue;
            }

            var name = Path.GetFileNameWithoutExtension(next.Csproj);
            var way = name == next.Direct ? name : $"{next.Direct}, which brings {name}";
            foreach (var reason in WebHostParts(next.Csproj))
            {
                yield return $"{csproj} gets the web host through {way}: it {reason}";
            }

            foreach (var reference in ReferencedFiles(next.Csproj))
            {
                queue.Enqueue((reference, next.Direct));
            }
        }

        var folder = Path.Combine(root, "src", project);
        foreach (var file in SourceFiles(folder))
        {
            var lines = File.ReadAllLines(file);
            for (var index = 0; index < lines.Length; index++)
            {
                foreach (Match use in AspNetCoreName().Matches(lines[index]))
                {
                    yield return $"{Path.GetRelativePath(root, file).Replace('\\', '/')}:{index + 1} uses {Namespace(use.Value)}; {project} is outside the web host";
                }
            }
        }
    }

    /// <summary>What in one project file takes ASP.NET Core in, each as "uses …" or "references …".</summary>
    private static IEnumerable<string> WebHostParts(string csproj)
    {
        var document = XDocument.Load(csproj);
        var sdks = ((string?)document.Root?.Attribute("Sdk") ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Concat(document.Descendants("Sdk").Select(sdk => (string?)sdk.Attribute("Name") ?? ""))
            .Concat(document.Descendants("Import").Select(import => (string?)import.Attribute("Sdk") ?? "").Where(sdk => sdk.Length > 0))
            .Select(sdk => sdk.Split('/')[0]);
        foreach (var sdk in sdks.Where(sdk => sdk != "Microsoft.NET.Sdk").Distinct(StringComparer.Ordinal))
        {
            yield return $"uses the SDK {sdk}";
        }

        foreach (var framework in Includes(document, "FrameworkReference").Where(name => name.StartsWith("Microsoft.AspNetCore", StringComparison.OrdinalIgnoreCase)))
        {
            yield return $"references the framework {framework}";
        }

        foreach (var package in Includes(document, "PackageReference").Where(name => name.Contains("AspNetCore", StringComparison.OrdinalIgnoreCase)))
        {
            yield return $"references the package {package}";
        }

        foreach (var global in Includes(document, "Using").Where(name => AspNetCoreName().IsMatch(name)))
        {
            yield return $"uses {global} globally";
        }
    }

    private static IEnumerable<string> Includes(XDocument document, string item) =>
        document.Descendants(item).Select(element => (string?)element.Attribute("Include") ?? "").Where(name => name.Length > 0);

    private static IEnumerable<string> ReferencedFiles(string csproj) =>
        Includes(XDocument.Load(csproj), "ProjectReference")
            .Select(reference => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(csproj)!, reference.Replace('\\', '/'))));

    /// <summary>A project's C# sources, without what the build writes (obj, bin).</summary>
    private static IEnumerable<string> SourceFiles(string folder) =>
        Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
            .Where(file => !Path.GetRelativePath(folder, file).Split(Path.DirectorySeparatorChar).Any(part => part is "obj" or "bin"))
            .Order(StringComparer.Ordinal);

    /// <summary>The project a namespace belongs to: its first two parts (<c>Porthole.Ssh</c>).</summary>
    private static string ProjectOf(string name) => string.Join('.', name.Split('.').Take(2));

    /// <summary>A qualified name's namespace as the message names it: its first three parts.</summary>
    private static string Namespace(string name) => string.Join('.', name.Split('.').Take(3));

    [GeneratedRegex(@"^(?<project>Porthole(\.[A-Za-z]+)+):\s*(?<references>[^\[(]*?)\s*(\[(?<namespaces>[^\]]*)\])?\s*(?<outside>\(outside the web host\))?\s*$")]
    private static partial Regex RuleLine();

    [GeneratedRegex(@"\bPorthole(\.[A-Z][A-Za-z0-9]*)+")]
    private static partial Regex QualifiedName();

    [GeneratedRegex(@"\bMicrosoft\.AspNetCore(\.[A-Za-z_][A-Za-z0-9_]*)*")]
    private static partial Regex AspNetCoreName();

    private sealed record Rule(IReadOnlySet<string> References, IReadOnlySet<string> Namespaces, bool OutsideWebHost);
}
