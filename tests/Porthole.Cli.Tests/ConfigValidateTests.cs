using Porthole.Testing;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Porthole.Cli.Tests;

/// <summary><c>porthole config validate</c> needs no server: real corpus files, and files no config should be.</summary>
public sealed partial class ConfigValidateTests : IDisposable
{
    private const string Refused = "circleci/prometheus__prometheus.yml";

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    public static TheoryData<string> CorpusFiles()
    {
        var files = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(CorpusFolder.Root, "*.yml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            files.Add(Path.GetRelativePath(CorpusFolder.Root, file));
        }

        return files;
    }

    [Theory]
    [MemberData(nameof(CorpusFiles))]
    public async Task Every_corpus_file_gives_a_plan_or_positioned_errors_never_a_crash(string file)
    {
        var (exitCode, stdout, stderr) = await RunAsync("config", "validate", Corpus(file));

        if (exitCode == 0)
        {
            // A plan may come with warnings (babel's old restore-cache spelling), never with errors.
            Assert.All(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.Matches(WarningLine(), line));
            Assert.NotEqual("", stdout.Trim());
        }
        else
        {
            Assert.Equal(1, exitCode);
            Assert.Equal("", stdout);
            Assert.All(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.Matches(ErrorLine(), line));
        }
    }

    [Fact]
    public async Task A_config_that_plans_prints_its_plan_and_exits_0()
    {
        var path = await PlannableDrushAsync();

        var (exitCode, stdout, stderr) = await RunAsync("config", "validate", path);

        Assert.Equal("", stderr);
        Assert.Equal(0, exitCode);
        foreach (var job in new[] { "drush", "code_style", "check_mergable", "test_71_mysql", "test_71_postgres" })
        {
            Assert.Contains(job, stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_refused_config_prints_each_error_as_file_line_column_message_and_exits_1()
    {
        var path = Corpus(Refused);

        var (exitCode, stdout, stderr) = await RunAsync("config", "validate", path);

        Assert.Equal(1, exitCode);
        Assert.Equal("", stdout);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(lines);
        Assert.All(lines, line => Assert.Matches(ErrorLine(), line));
        Assert.All(lines, line => Assert.StartsWith(path + ":", line, StringComparison.Ordinal));
        Assert.Contains(lines, line => line.Contains("is not in the orb store", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Json_gives_validity_errors_and_plan()
    {
        var planned = await RunAsync("config", "validate", await PlannableDrushAsync(), "--json");
        var refused = await RunAsync("config", "validate", Corpus(Refused), "--json", "--dialect", "circleci");

        Assert.Equal(0, planned.ExitCode);
        using (var json = JsonDocument.Parse(planned.Stdout))
        {
            Assert.True(json.RootElement.GetProperty("valid").GetBoolean());
            Assert.Equal(0, json.RootElement.GetProperty("errors").GetArrayLength());
            Assert.Equal("drush", json.RootElement.GetProperty("plan").GetProperty("workflows")[0].GetProperty("name").GetString());
        }

        Assert.Equal(1, refused.ExitCode);
        using (var json = JsonDocument.Parse(refused.Stdout))
        {
            Assert.False(json.RootElement.GetProperty("valid").GetBoolean());
            var error = json.RootElement.GetProperty("errors")[0];
            Assert.Equal(Corpus(Refused), error.GetProperty("file").GetString());
            Assert.True(error.GetProperty("line").GetInt32() > 0);
            Assert.True(error.GetProperty("column").GetInt32() > 0);
            Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("plan").ValueKind);
        }
    }

    [Fact]
    public async Task A_config_with_only_warnings_prints_its_plan_and_each_warning_and_exits_0()
    {
        var path = Corpus("circleci/babel__babel.yml");

        var (exitCode, stdout, stderr) = await RunAsync("config", "validate", path);

        Assert.Equal(0, exitCode);
        Assert.Contains("restore_cache keys=[v1-yarn-cache]", stdout, StringComparison.Ordinal);
        Assert.Equal(
            string.Concat(new[] { 49, 50, 72, 73 }.Select(line => $"{path}:{line}:9: warning: 'restore-cache' is the old spelling of 'restore_cache'\n")),
            stderr);
    }

    [Fact]
    public async Task A_refused_config_prints_its_warnings_beside_its_errors()
    {
        var path = Path.Combine(_folder.Path, ".circleci", "config.yml");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, "version: 2\njobs:\n  build:\n    steps:\n      - restore-cache: {key: v1}\n      - frobnicate\n");

        var (exitCode, stdout, stderr) = await RunAsync("config", "validate", path);

        Assert.Equal(1, exitCode);
        Assert.Equal("", stdout);
        Assert.Equal(
            $"{path}:5:9: warning: 'restore-cache' is the old spelling of 'restore_cache'\n{path}:6:9: unknown step type 'frobnicate'\n",
            stderr);
    }

    [Fact]
    public async Task Json_gives_the_warnings_with_their_positions()
    {
        var (exitCode, stdout, _) = await RunAsync("config", "validate", Corpus("circleci/babel__babel.yml"), "--json");

        Assert.Equal(0, exitCode);
        using var json = JsonDocument.Parse(stdout);
        Assert.True(json.RootElement.GetProperty("valid").GetBoolean());
        var warnings = json.RootElement.GetProperty("warnings");
        Assert.Equal(4, warnings.GetArrayLength());
        Assert.Equal((49, 9), (warnings[0].GetProperty("line").GetInt32(), warnings[0].GetProperty("column").GetInt32()));
        Assert.Equal("'restore-cache' is the old spelling of 'restore_cache'", warnings[0].GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_missing_file_is_one_line_and_exit_1()
    {
        var path = Path.Combine(_folder.Path, "nothing-here.yml");

        var (exitCode, stdout, stderr) = await RunAsync("config", "validate", path);

        Assert.Equal(1, exitCode);
        Assert.Equal("", stdout);
        Assert.Equal($"error: {path}: no such file\n", stderr);
    }

    [Fact]
    public async Task A_folder_is_one_line_and_exit_1()
    {
        var (exitCode, _, stderr) = await RunAsync("config", "validate", _folder.Path);

        Assert.Equal(1, exitCode);
        Assert.Equal($"error: {_folder.Path} is a folder: pass a config file such as .circleci/config.yml or .travis.yml\n", stderr);
    }

    [Fact]
    public async Task A_huge_file_is_refused_before_it_is_read()
    {
        var path = Path.Combine(_folder.Path, "config.yml");
        await using (var file = File.Create(path))
        {
            file.SetLength(50L * 1024 * 1024);
        }

        var (exitCode, stdout, stderr) = await RunAsync("config", "validate", path);

        Assert.Equal(1, exitCode);
        Assert.Equal("", stdout);
        Assert.Equal($"error: {path} is 50 MiB: config files over 3 MiB are refused\n", stderr);
    }

    [Fact]
    public async Task A_file_that_is_not_utf8_is_one_line_and_exit_1()
    {
        var path = Path.Combine(_folder.Path, ".travis.yml");
        await File.WriteAllBytesAsync(path, [(byte)'o', (byte)'s', (byte)':', (byte)' ', 0xff, (byte)'\n']);

        var (exitCode, _, stderr) = await RunAsync("config", "validate", path);

        Assert.Equal(1, exitCode);
        Assert.Equal($"error: {path} is not UTF-8 text (invalid byte at 4); save it as UTF-8\n", stderr);
    }

    [Fact]
    public async Task An_unknown_dialect_is_a_usage_error()
    {
        var (exitCode, _, stderr) = await RunAsync("config", "validate", Corpus(Refused), "--dialect", "jenkins");

        Assert.Equal(2, exitCode);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>Through the plain entry point <c>Program</c> uses: the process's environment, the caller's writers.</summary>
    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        await using var stdout = new StringWriter();
        await using var stderr = new StringWriter();
        var exitCode = await Cli.RunAsync(args, stdout, stderr, CancellationToken.None);
        return (exitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>
    /// Drush's real config without its database service containers (which Porthole refuses): the rest plans as it is.
    /// Written as <c>.circleci/config.yml</c> so the dialect is told from the path.
    /// </summary>
    private async Task<string> PlannableDrushAsync()
    {
        var original = await File.ReadAllTextAsync(Corpus("circleci/drush-ops__drush.yml"));
        var text = original
            .Replace("      - image: circleci/mysql:5.7.24\n", "", StringComparison.Ordinal)
            .Replace("      - image: wodby/postgres:10.5\n        environment:\n          POSTGRES_PASSWORD: unish\n          POSTGRES_DB: unish_dev\n          POSTGRES_USER: unish\n", "", StringComparison.Ordinal);
        Assert.NotEqual(original, text);
        var path = Path.Combine(_folder.Path, ".circleci", "config.yml");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, text);
        return path;
    }

    private static string Corpus(string name) => Path.Combine(CorpusFolder.Root, name);

    [GeneratedRegex(@"^.+:\d+:\d+: \S.*$")]
    private static partial Regex ErrorLine();

    [GeneratedRegex(@"^.+:\d+:\d+: warning: \S.*$")]
    private static partial Regex WarningLine();
}
