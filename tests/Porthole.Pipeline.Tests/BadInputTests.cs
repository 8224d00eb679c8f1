using System.Diagnostics;
using System.Text;
using Porthole.Contracts.Plans;
using static Porthole.Pipeline.Tests.Support.Configs;

namespace Porthole.Pipeline.Tests;

/// <summary>Broken and hostile configs end in precise errors, never in an exception or a hang.</summary>
public sealed class BadInputTests
{
    [Fact]
    public void Malformed_yaml_is_an_error_at_the_parser_mark()
    {
        var result = ReadCircle("version: 2", "jobs:", "  build: {steps: [checkout]}", "  test: a: b");

        var error = OnlyError(result, 4, 10, "malformed YAML: While scanning a plain scalar value, found invalid mapping");
        Assert.Null(error.Feature);
    }

    [Fact]
    public void An_unclosed_flow_map_is_an_error_at_its_brace()
    {
        OnlyError(ReadCircle("version: 2", "jobs:", "  build: {steps: [checkout]", "other: 1"), 3, 10, "malformed YAML: this { is not closed");
    }

    [Fact]
    public void A_bad_indentation_is_an_error_where_the_parser_stopped()
    {
        var result = ReadCircle("version: 2", "jobs:", "  build:", "    steps:", "      - checkout", "     - run: x");

        OnlyError(result, 6, 6, "malformed YAML");
    }

    [Fact]
    public void An_unclosed_flow_list_that_crashes_the_scanner_is_an_error_at_its_bracket()
    {
        // YamlDotNet 16 throws InvalidOperationException here instead of a YamlException.
        var result = ReadCircle("version: 2", "jobs: [1, 2", "b: 3");

        OnlyError(result, 2, 7, "malformed YAML: this [ is not closed");
    }

    [Fact]
    public void An_unterminated_quote_is_an_error_at_the_quote()
    {
        OnlyError(ReadCircle("version: 2", "jobs: \"build"), 2, 7, "malformed YAML");
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\n")]
    [InlineData("# only a comment\n")]
    [InlineData("---\n")]
    [InlineData("~\n")]
    public void An_empty_config_is_an_error_at_the_top(string text)
    {
        var result = ConfigReader.Read(CirclePath, text);

        OnlyError(result, 1, 1, "the config is empty");
    }

    [Fact]
    public void A_list_config_is_an_error_at_1_1()
    {
        OnlyError(ReadCircle("- a", "- b"), 1, 1, "the config must be a map of keys, found a list");
    }

    [Fact]
    public void A_string_config_is_an_error_at_1_1()
    {
        OnlyError(ReadCircle("just some text"), 1, 1, "the config must be a map of keys, found a string");
    }

    [Fact]
    public void Jobs_that_is_not_a_map_is_an_error_at_its_value()
    {
        OnlyError(ReadCircle("version: 2", "jobs:", "  - build"), 3, 3, "jobs must be a map of job names to jobs, found a list");
    }

    [Fact]
    public void A_command_that_is_a_list_is_an_error_at_the_list()
    {
        var result = ReadCircle(
            "version: 2",
            "jobs:",
            "  build:",
            "    steps:",
            "      - run:",
            "          command:",
            "            - make");

        OnlyError(result, 7, 13, "a command must be a string, found a list");
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("0")]
    [InlineData("\"abc\"")]
    [InlineData("2.5")]
    [InlineData("100000")]
    public void A_parallelism_that_is_not_a_whole_number_from_1_is_an_error_at_the_value(string value)
    {
        var result = ReadCircle("version: 2", "jobs:", "  build:", $"    parallelism: {value}", "    steps: [checkout]");

        OnlyError(result, 4, 18, "parallelism must be a whole number from 1 to 256");
    }

    [Fact]
    public void An_unknown_step_type_is_an_error_at_the_step()
    {
        var result = ReadCircle("version: 2", "jobs:", "  build:", "    steps:", "      - checkout", "      - frobnicate:", "          x: 1");

        OnlyError(result, 6, 9, "unknown step type 'frobnicate'");
    }

    [Fact]
    public void Requires_of_a_missing_job_is_an_error_at_the_name()
    {
        var result = ReadCircle(
            "version: 2",
            "jobs:",
            "  a: {steps: [checkout]}",
            "workflows:",
            "  w:",
            "    jobs:",
            "      - a:",
            "          requires:",
            "            - nowhere");

        OnlyError(result, 9, 15, "'nowhere' in requires is not a job of workflow 'w'");
    }

    [Fact]
    public void A_requires_cycle_is_an_error_at_the_requires_entry_that_closes_it()
    {
        var result = ReadCircle(
            "version: 2",
            "jobs:",
            "  a: {steps: [checkout]}",
            "  b: {steps: [checkout]}",
            "  c: {steps: [checkout]}",
            "workflows:",
            "  w:",
            "    jobs:",
            "      - a:",
            "          requires: [c]",
            "      - b:",
            "          requires: [a]",
            "      - c:",
            "          requires: [b]");

        OnlyError(result, 12, 22, "requires cycle in workflow 'w': a → c → b → a");
    }

    [Fact]
    public void A_job_that_requires_itself_is_a_cycle()
    {
        var result = ReadCircle(
            "version: 2",
            "jobs:",
            "  a: {steps: [checkout]}",
            "workflows:",
            "  w:",
            "    jobs:",
            "      - a: {requires: [a]}");

        OnlyError(result, 7, 24, "requires cycle in workflow 'w': a → a");
    }

    [Fact]
    public void An_alias_bomb_is_refused_quickly()
    {
        var text = new StringBuilder("version: 2\n");
        text.Append("l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (var level = 1; level < 10; level++)
        {
            var previous = string.Join(", ", Enumerable.Repeat($"*l{level - 1}", 10));
            text.Append($"l{level}: &l{level} [{previous}]\n");
        }

        text.Append("jobs:\n  build:\n    environment: {BOMB: *l9}\n    steps: [checkout]\n");
        var clock = Stopwatch.StartNew();

        var result = ConfigReader.Read(CirclePath, text.ToString());

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"took {clock.Elapsed}");
        var error = Assert.Single(result.Errors);
        Assert.Contains("the config expands to more than 1000000 nodes (alias bomb?)", error.Message, StringComparison.Ordinal);
        Assert.Equal(7, error.Line);
    }

    [Fact]
    public void A_merge_key_bomb_is_refused_too()
    {
        var text = new StringBuilder("version: 2\n");
        text.Append("m0: &m0 {a: [x, x, x, x, x, x, x, x, x, x]}\n");
        for (var level = 1; level < 12; level++)
        {
            var keys = string.Join(", ", Enumerable.Range(0, 10).Select(k => $"k{k}: *m{level - 1}"));
            text.Append($"m{level}: &m{level} {{<<: *m{level - 1}, {keys}}}\n");
        }

        var clock = Stopwatch.StartNew();
        var result = ConfigReader.Read(CirclePath, text.ToString());

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"took {clock.Elapsed}");
        Assert.Contains(result.Errors, error => error.Message.Contains("alias bomb", StringComparison.Ordinal));
    }

    [Fact]
    public void A_50_mib_config_is_refused_by_size_before_parsing()
    {
        var text = new string('#', 50 * 1024 * 1024);
        var clock = Stopwatch.StartNew();

        var result = ConfigReader.Read(CirclePath, text);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"took {clock.Elapsed}");
        OnlyError(result, 1, 1, "config is 52428800 bytes; the limit is 3 MiB");
    }

    [Fact]
    public void The_size_limit_counts_utf8_bytes()
    {
        var text = "a: " + new string('é', 2 * 1024 * 1024);

        OnlyError(ConfigReader.Read(CirclePath, text), 1, 1, $"config is {3 + (4 * 1024 * 1024)} bytes");
    }

    [Theory]
    [InlineData(10_000, '[')]
    [InlineData(10_000, '{')]
    [InlineData(1_000_000, '[')]
    public void Deep_flow_nesting_is_refused_without_overflowing_the_stack(int depth, char open)
    {
        var text = new string(open, depth);
        var clock = Stopwatch.StartNew();

        var result = ConfigReader.Read(CirclePath, text);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed}");
        OnlyError(result, 1, 201, "the config nests deeper than 200 levels");
    }

    [Fact]
    public void Deep_block_nesting_is_refused_too()
    {
        var text = new StringBuilder();
        for (var i = 0; i < 1000; i++)
        {
            text.Append(' ', i).Append("a:\n");
        }

        var result = ConfigReader.Read(CirclePath, text.ToString());

        Assert.Contains(result.Errors, error => error.Message.Contains("nests deeper than 200 levels", StringComparison.Ordinal));
    }

    [Fact]
    public void Depth_reached_through_aliases_is_refused()
    {
        var text = new StringBuilder("a0: &a0 x\n");
        for (var i = 1; i < 300; i++)
        {
            text.Append($"a{i}: &a{i} [*a{i - 1}]\n");
        }

        var result = ConfigReader.Read(CirclePath, text.ToString());

        Assert.Contains(result.Errors, error => error.Message.Contains("nests deeper than 200 levels once its aliases are expanded", StringComparison.Ordinal));
    }

    [Fact]
    public void Garbage_never_throws()
    {
        var random = new Random(1234);
        const string alphabet = "ab:-[]{}&*!|>'\"#%@`,?\n\t \\<";
        for (var i = 0; i < 2000; i++)
        {
            var text = new string([.. Enumerable.Range(0, random.Next(1, 60)).Select(_ => alphabet[random.Next(alphabet.Length)])]);
            foreach (var dialect in new ConfigDialect?[] { ConfigDialect.CircleCi, ConfigDialect.Travis, null })
            {
                var result = ConfigReader.Read("config.yml", text, dialect);
                Assert.True(result.IsValid || result.Errors.Count > 0);
                Assert.All(result.Errors, error => Assert.True(error.Line >= 1 && error.Column >= 1, error.ToString()));
                Assert.DoesNotContain(result.Errors, error => error.Message.StartsWith("internal error", StringComparison.Ordinal));
            }
        }
    }

    [Fact]
    public void Error_text_names_file_line_and_column()
    {
        var error = new ConfigError(".circleci/config.yml", 3, 5, "orbs are not supported", "orbs");

        Assert.Equal(".circleci/config.yml:3:5: orbs are not supported", error.ToString());
    }
}
