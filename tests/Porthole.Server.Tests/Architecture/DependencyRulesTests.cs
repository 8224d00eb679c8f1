using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Porthole.Server.Tests.Architecture;

/// <summary>
/// The dependency rules of docs/architecture.md (issue 14: "a test enforces the dependency rules, so they cannot be
/// broken silently again"): each project references exactly the projects its line names, every project under src/ has
/// a line, and a project with a bracket uses of the listed projects only the listed namespaces.
/// </summary>
public sealed partial class DependencyRulesTests
{
    [Fact]
    public void The_projects_and_their_sources_keep_the_rules_written_in_the_architecture()
    {
        var root = RepositoryRoot();

        var violations = DependencyRules.Violations(root, File.ReadAllText(Path.Combine(root, "docs", "architecture.md")));

        Assert.True(violations.Count == 0, "docs/architecture.md's dependency rules are broken:\n" + string.Join("\n", violations));
    }

    [Fact]
    public void A_reference_or_a_namespace_outside_the_rules_is_found()
    {
        using var repository = new TempFolder();
        WriteProject(repository.Path, "Porthole.Contracts");
        WriteProject(repository.Path, "Porthole.Ssh");
        WriteProject(repository.Path, "Porthole.Server", "Porthole.Contracts", "Porthole.Ssh");
        File.WriteAllText(Path.Combine(repository.Path, "src", "Porthole.Server", "Uses.cs"), """
            using Porthole.Ssh.Keys;
            using Porthole.Ssh.Endpoints;
            namespace Porthole.Server;
            internal static class Uses { public static object? Parse() => Porthole.Ssh.Keys.Parser.Read(""); }
            """);
        File.WriteAllText(Path.Combine(repository.Path, "src", "Porthole.Server", "Generated.cs"), "using Porthole.Ssh.Debugging;\n");
        Directory.CreateDirectory(Path.Combine(repository.Path, "src", "Porthole.Server", "obj"));
        File.WriteAllText(Path.Combine(repository.Path, "src", "Porthole.Server", "obj", "Build.cs"), "using Porthole.Ssh.Processes;\n");
        const string Rules = """
            <!-- dependency-rules -->
            ```text
            Porthole.Contracts:
            Porthole.Ssh:
            Porthole.Server: Porthole.Contracts [Porthole.Ssh.Keys]
            ```
            """;

        var violations = DependencyRules.Violations(repository.Path, Rules);

        Assert.Equal(
            [
                "src/Porthole.Server/Porthole.Server.csproj references Porthole.Ssh, which its rule does not name",
                "src/Porthole.Server/Generated.cs:1 uses Porthole.Ssh.Debugging; Porthole.Server may use only Porthole.Ssh.Keys of Porthole.Ssh",
                "src/Porthole.Server/Uses.cs:2 uses Porthole.Ssh.Endpoints; Porthole.Server may use only Porthole.Ssh.Keys of Porthole.Ssh",
            ],
            violations);
    }

    [Fact]
    public void A_project_without_a_rule_and_a_rule_without_its_reference_are_found()
    {
        using var repository = new TempFolder();
        WriteProject(repository.Path, "Porthole.Contracts");
        WriteProject(repository.Path, "Porthole.Pipeline");
        WriteProject(repository.Path, "Porthole.Extra");
        const string Rules = """
            <!-- dependency-rules -->
            ```text
            Porthole.Contracts:
            Porthole.Pipeline: Porthole.Contracts
            ```
            """;

        var violations = DependencyRules.Violations(repository.Path, Rules);

        Assert.Equal(
            [
                "src/Porthole.Extra has no line in the dependency rules",
                "src/Porthole.Pipeline/Porthole.Pipeline.csproj does not reference Porthole.Contracts, which its rule names",
            ],
            violations);
    }

    private static void WriteProject(string root, string name, params string[] references)
    {
        var folder = Directory.CreateDirectory(Path.Combine(root, "src", name)).FullName;
        var items = string.Concat(references.Select(reference => $"<ProjectReference Include=\"../{reference}/{reference}.csproj\" />"));
        File.WriteAllText(Path.Combine(folder, name + ".csproj"), $"<Project Sdk=\"Microsoft.NET.Sdk\"><ItemGroup>{items}</ItemGroup></Project>");
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Porthole.slnx")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No folder above {AppContext.BaseDirectory} holds Porthole.slnx.");
    }
}

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

            rules[match.Groups["project"].Value] = new Rule(Names(match.Groups["references"].Value), Names(match.Groups["namespaces"].Value));
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
        var folder = Path.Combine(root, "src", project);
        var files = Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
            .Where(file => !Path.GetRelativePath(folder, file).Split(Path.DirectorySeparatorChar).Any(part => part is "obj" or "bin"))
            .Order(StringComparer.Ordinal);
        foreach (var file in files)
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

    /// <summary>The project a namespace belongs to: its first two parts (<c>Porthole.Ssh</c>).</summary>
    private static string ProjectOf(string name) => string.Join('.', name.Split('.').Take(2));

    /// <summary>A qualified name's namespace as the message names it: its first three parts.</summary>
    private static string Namespace(string name) => string.Join('.', name.Split('.').Take(3));

    [GeneratedRegex(@"^(?<project>Porthole(\.[A-Za-z]+)+):\s*(?<references>[^\[]*?)\s*(\[(?<namespaces>[^\]]*)\])?\s*$")]
    private static partial Regex RuleLine();

    [GeneratedRegex(@"\bPorthole(\.[A-Z][A-Za-z0-9]*)+")]
    private static partial Regex QualifiedName();

    private sealed record Rule(IReadOnlySet<string> References, IReadOnlySet<string> Namespaces);
}
