namespace Porthole.Server.Tests.Architecture;

/// <summary>
/// The dependency rules of docs/architecture.md (issue 14: "a test enforces the dependency rules, so they cannot be
/// broken silently again"): each project references exactly the projects its line names, every project under src/ has
/// a line, a project with a bracket uses of the listed projects only the listed namespaces, and a project marked
/// <c>(outside the web host)</c> (the server's core) takes in no ASP.NET Core: not by its SDK, a framework or package
/// reference, a project it references, or a <c>Microsoft.AspNetCore</c> namespace in its sources.
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
    public void The_core_assembly_references_no_assembly_of_ASP_NET_Core()
    {
        var core = typeof(Porthole.Server.Pipelines.Scheduler).Assembly;

        var web = core.GetReferencedAssemblies().Select(a => a.Name ?? "").Where(name => name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal)).ToList();

        Assert.Equal("Porthole.Server.Core", core.GetName().Name);
        Assert.Empty(web);
    }

    [Fact]
    public void A_project_outside_the_web_host_that_takes_it_in_is_found()
    {
        using var repository = new TempFolder();
        WriteProject(repository.Path, "Porthole.Contracts");
        WriteProject(repository.Path, "Porthole.Host", "Porthole.Contracts");
        AddToProject(repository.Path, "Porthole.Host", """<FrameworkReference Include="Microsoft.AspNetCore.App" />""");
        WriteProject(repository.Path, "Porthole.Middle", "Porthole.Host");
        WriteProject(repository.Path, "Porthole.Server.Core", "Porthole.Contracts", "Porthole.Middle");
        AddToProject(repository.Path, "Porthole.Server.Core", """
            <FrameworkReference Include="Microsoft.AspNetCore.App" />
            <PackageReference Include="prometheus-net.AspNetCore" />
            <PackageReference Include="prometheus-net" />
            <Using Include="Microsoft.AspNetCore.Http" />
            """, sdk: "Microsoft.NET.Sdk.Web");
        File.WriteAllText(Path.Combine(repository.Path, "src", "Porthole.Server.Core", "Uses.cs"), """
            using Microsoft.AspNetCore.Http;
            namespace Porthole.Server.Pipelines;
            // Not ASP.NET Core: Microsoft.Extensions.Hosting is the generic host's.
            internal static class Uses { public static object? Build() => Microsoft.AspNetCore.Builder.WebApplication.Create(); }
            """);
        Directory.CreateDirectory(Path.Combine(repository.Path, "src", "Porthole.Server.Core", "obj"));
        File.WriteAllText(Path.Combine(repository.Path, "src", "Porthole.Server.Core", "obj", "Build.cs"), "using Microsoft.AspNetCore.Mvc;\n");
        // The web host itself may take ASP.NET Core in, and a project outside it that does not is clean.
        WriteProject(repository.Path, "Porthole.Server", "Porthole.Server.Core");
        AddToProject(repository.Path, "Porthole.Server", """<FrameworkReference Include="Microsoft.AspNetCore.App" />""", sdk: "Microsoft.NET.Sdk.Razor");
        File.WriteAllText(Path.Combine(repository.Path, "src", "Porthole.Server", "Web.cs"), "using Microsoft.AspNetCore.Http;\n");
        WriteProject(repository.Path, "Porthole.Data", "Porthole.Contracts");
        File.WriteAllText(Path.Combine(repository.Path, "src", "Porthole.Data", "Model.cs"), "namespace Porthole.Data; // no Microsoft.Extensions.Hosting either\n");
        const string Rules = """
            <!-- dependency-rules -->
            ```text
            Porthole.Contracts:
            Porthole.Data:        Porthole.Contracts (outside the web host)
            Porthole.Host:        Porthole.Contracts
            Porthole.Middle:      Porthole.Host
            Porthole.Server.Core: Porthole.Contracts, Porthole.Middle (outside the web host)
            Porthole.Server:      Porthole.Server.Core
            ```
            """;

        var violations = DependencyRules.Violations(repository.Path, Rules);

        Assert.Equal(
            [
                "src/Porthole.Server.Core/Porthole.Server.Core.csproj uses the SDK Microsoft.NET.Sdk.Web; Porthole.Server.Core is outside the web host (Microsoft.NET.Sdk only)",
                "src/Porthole.Server.Core/Porthole.Server.Core.csproj references the framework Microsoft.AspNetCore.App; Porthole.Server.Core is outside the web host",
                "src/Porthole.Server.Core/Porthole.Server.Core.csproj references the package prometheus-net.AspNetCore; Porthole.Server.Core is outside the web host",
                "src/Porthole.Server.Core/Porthole.Server.Core.csproj uses Microsoft.AspNetCore.Http globally; Porthole.Server.Core is outside the web host",
                "src/Porthole.Server.Core/Porthole.Server.Core.csproj gets the web host through Porthole.Middle, which brings Porthole.Host: it references the framework Microsoft.AspNetCore.App",
                "src/Porthole.Server.Core/Uses.cs:1 uses Microsoft.AspNetCore.Http; Porthole.Server.Core is outside the web host",
                "src/Porthole.Server.Core/Uses.cs:4 uses Microsoft.AspNetCore.Builder; Porthole.Server.Core is outside the web host",
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

    /// <summary>Adds <paramref name="items"/> to a project <see cref="WriteProject"/> wrote, and gives it <paramref name="sdk"/>.</summary>
    private static void AddToProject(string root, string name, string items, string sdk = "Microsoft.NET.Sdk")
    {
        var csproj = Path.Combine(root, "src", name, name + ".csproj");
        var text = File.ReadAllText(csproj)
            .Replace("<Project Sdk=\"Microsoft.NET.Sdk\">", $"<Project Sdk=\"{sdk}\">", StringComparison.Ordinal)
            .Replace("</ItemGroup>", items + "</ItemGroup>", StringComparison.Ordinal);
        File.WriteAllText(csproj, text);
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
