using Porthole.Testing;
namespace Porthole.Cli.Tests;

/// <summary>
/// <c>porthole config process</c> (CircleCI's <c>circleci config process</c>, offline): the plain config a 2.1 file
/// compiles to, with pipeline parameters, a branch or tag, and a folder of registry orbs (dialects.md §A0, §A4).
/// </summary>
public sealed class ConfigProcessTests : IDisposable
{
    private const string Config = """
        version: 2.1
        parameters:
          deploy: {type: boolean, default: false}
        orbs:
          tools: acme/tools@1
        commands:
          greet:
            parameters:
              who: {type: string, default: world}
            steps:
              - run: echo hello << parameters.who >>
        jobs:
          build:
            docker: [{image: alpine}]
            steps:
              - greet: {who: porthole}
              - tools/lint
          ship:
            docker: [{image: alpine}]
            steps: [{run: ./ship.sh}]
        workflows:
          main:
            jobs:
              - build
              - ship:
                  requires: [build]
                  filters: {branches: {only: main}}
          release:
            when: << pipeline.parameters.deploy >>
            jobs: [ship]
        """;

    private readonly TempFolder _folder = new();

    public ConfigProcessTests()
    {
        File.WriteAllText(ConfigPath, Config);
        var orb = Path.Combine(OrbsPath, "acme", "tools", "1.4.0.yml");
        Directory.CreateDirectory(Path.GetDirectoryName(orb)!);
        File.WriteAllText(orb, "version: 2.1\ncommands:\n  lint:\n    steps:\n      - run: make lint\n");
    }

    private string ConfigPath => Path.Combine(_folder.Path, "config.yml");

    private string OrbsPath => Path.Combine(_folder.Path, "orbs");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Process_prints_plain_config_with_commands_and_orbs_inlined()
    {
        var (exitCode, stdout, stderr) = await RunAsync("config", "process", ConfigPath, "--orbs", OrbsPath);

        Assert.Equal("", stderr);
        Assert.Equal(0, exitCode);
        Assert.StartsWith("# Orb 'acme/tools@1' resolved to 'acme/tools@1.4.0'\n", stdout, StringComparison.Ordinal);
        Assert.Contains("echo hello porthole", stdout, StringComparison.Ordinal);
        Assert.Contains("make lint", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("commands:", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("orbs:", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("release:", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pipeline_parameter_given_with_param_chooses_the_workflows()
    {
        var (exitCode, stdout, _) = await RunAsync("config", "process", ConfigPath, "--orbs", OrbsPath, "--param", "deploy=true");

        Assert.Equal(0, exitCode);
        Assert.Contains("release:", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_with_a_branch_plans_only_the_jobs_its_filters_admit()
    {
        var onMain = await RunAsync("config", "validate", ConfigPath, "--orbs", OrbsPath, "--branch", "main");
        var onTopic = await RunAsync("config", "validate", ConfigPath, "--orbs", OrbsPath, "--branch", "topic");

        Assert.Equal(0, onMain.ExitCode);
        Assert.Contains("job: ship", onMain.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, onTopic.ExitCode);
        Assert.DoesNotContain("job: ship", onTopic.Stdout, StringComparison.Ordinal);
        Assert.Contains("orb: tools = acme/tools@1 → acme/tools@1.4.0", onTopic.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_the_orb_store_the_orb_is_refused_by_name_with_both_commands()
    {
        var (exitCode, stdout, stderr) = await RunAsync("config", "process", ConfigPath);

        Assert.Equal(1, exitCode);
        Assert.Equal("", stdout);
        Assert.Contains($"{ConfigPath}:5:10: orb acme/tools@1 is not in the orb store; add it with 'porthole orb fetch acme/tools@1' or 'porthole orb import FILE acme/tools@X.Y.Z'", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--branch", "main", "--tag", "v1")]
    [InlineData("--param", "deploy", "--branch", "main")]
    [InlineData("--orbs", "/no/such/folder", "--branch", "main")]
    public async Task Bad_options_are_refused_before_anything_is_read(string a, string b, string c, string d)
    {
        var (exitCode, stdout, stderr) = await RunAsync("config", "process", ConfigPath, a, b, c, d);

        Assert.NotEqual(0, exitCode);
        Assert.Equal("", stdout);
        Assert.NotEqual("", stderr.Trim());
    }

    [Fact]
    public async Task An_undeclared_parameter_is_an_error_in_CircleCIs_words()
    {
        var (exitCode, _, stderr) = await RunAsync("config", "process", ConfigPath, "--orbs", OrbsPath, "--param", "colour=red");

        Assert.Equal(1, exitCode);
        Assert.Contains("Unexpected argument(s): colour", stderr, StringComparison.Ordinal);
    }

    public static TheoryData<string> CircleCiCorpus()
    {
        var files = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(CorpusFolder.Root, "circleci"), "*.yml").Order(StringComparer.Ordinal))
        {
            files.Add(Path.GetFileName(file));
        }

        return files;
    }

    /// <summary>Issue 12's bar: every CircleCI config of the corpus validates and processes, with its orbs in a folder.</summary>
    [Theory]
    [MemberData(nameof(CircleCiCorpus))]
    public async Task Every_circleci_corpus_config_validates_and_processes_with_its_orbs(string file)
    {
        using var orbs = Porthole.Pipeline.Tests.Support.CorpusOrbs.Write();
        var path = Path.Combine(CorpusFolder.Root, "circleci", file);

        var validated = await RunAsync("config", "validate", path, "--orbs", orbs.Root);
        var processed = await RunAsync("config", "process", path, "--orbs", orbs.Root);

        Assert.True(validated.ExitCode == 0, validated.Stderr);
        Assert.True(processed.ExitCode == 0, processed.Stderr);
        Assert.Contains("jobs:", processed.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("orbs:", processed.Stdout, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        await using var stdout = new StringWriter();
        await using var stderr = new StringWriter();
        var exitCode = await Cli.RunAsync(args, stdout, stderr, CancellationToken.None);
        return (exitCode, stdout.ToString(), stderr.ToString());
    }
}
