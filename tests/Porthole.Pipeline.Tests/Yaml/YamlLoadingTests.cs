using Porthole.Pipeline.Tests.Support;
using static Porthole.Pipeline.Tests.Support.Configs;

namespace Porthole.Pipeline.Tests.Yaml;

public sealed class YamlLoadingTests
{
    [Fact]
    public void Merge_key_copies_the_anchored_map_and_keys_written_after_it_win()
    {
        var job = OnlyJob(ReadCircle(
            "version: 2",
            "defaults: &defaults",
            "  working_directory: ~/app",
            "  environment:",
            "    A: from-defaults",
            "jobs:",
            "  build:",
            "    <<: *defaults",
            "    environment:",
            "      B: own",
            "    steps: [checkout]"));

        Assert.Equal("~/app", job.WorkingDirectory);
        Assert.Equal([new("B", "own")], job.Environment);
    }

    [Fact]
    public void Keys_written_before_a_merge_also_win_over_it()
    {
        var job = OnlyJob(ReadCircle(
            "version: 2",
            "defaults: &defaults",
            "  working_directory: ~/merged",
            "jobs:",
            "  build:",
            "    working_directory: ~/own",
            "    <<: *defaults",
            "    steps: [checkout]"));

        Assert.Equal("~/own", job.WorkingDirectory);
    }

    [Fact]
    public void Merge_of_a_list_takes_the_first_map_that_has_a_key()
    {
        var job = OnlyJob(ReadCircle(
            "version: 2",
            "a: &a",
            "  environment: {FROM: a}",
            "b: &b",
            "  environment: {FROM: b}",
            "  working_directory: ~/b",
            "jobs:",
            "  build:",
            "    <<: [*a, *b]",
            "    steps: [checkout]"));

        Assert.Equal([new("FROM", "a")], job.Environment);
        Assert.Equal("~/b", job.WorkingDirectory);
    }

    [Fact]
    public void Merge_inside_a_merged_map_and_override_of_a_merged_environment()
    {
        var job = OnlyJob(ReadCircle(
            "version: 2",
            "base_env: &base_env",
            "  A: '1'",
            "  B: '2'",
            "template: &template",
            "  environment:",
            "    <<: *base_env",
            "    B: overridden",
            "    C: '3'",
            "jobs:",
            "  build:",
            "    <<: *template",
            "    steps: [checkout]"));

        Assert.Equal([new("A", "1"), new("B", "overridden"), new("C", "3")], job.Environment);
    }

    [Fact]
    public void Two_merge_keys_in_one_map_both_apply()
    {
        // drush-ops/drush writes <<: *defaults and <<: *test71steps in the same job.
        var job = OnlyJob(ReadCircle(
            "version: 2",
            "d: &d",
            "  working_directory: ~/d",
            "s: &s",
            "  steps: [checkout]",
            "jobs:",
            "  build:",
            "    <<: *d",
            "    <<: *s"));

        Assert.Equal("~/d", job.WorkingDirectory);
        Assert.Single(job.Steps);
    }

    [Fact]
    public void A_quoted_merge_key_is_an_ordinary_key()
    {
        var result = ReadCircle(
            "version: 2",
            "jobs:",
            "  build:",
            "    \"<<\": {working_directory: x}",
            "    steps: [checkout]");

        OnlyError(result, 4, 5, "unknown job key '<<'");
    }

    [Fact]
    public void A_merge_of_a_string_is_an_error_at_the_value()
    {
        var result = ReadCircle(
            "version: 2",
            "jobs:",
            "  build:",
            "    <<: nope",
            "    steps: [checkout]");

        OnlyError(result, 4, 9, "a merge key (<<) takes a map or a list of maps, found a string");
    }

    [Fact]
    public void Duplicate_keys_keep_the_last_value()
    {
        var job = OnlyJob(ReadCircle(
            "version: 2",
            "jobs:",
            "  build:",
            "    working_directory: ~/first",
            "    steps: [checkout]",
            "    working_directory: ~/second"));

        Assert.Equal("~/second", job.WorkingDirectory);
    }

    [Fact]
    public void An_anchor_defined_twice_is_the_later_one_for_later_aliases()
    {
        var plan = Planned(ReadCircle(
            "version: 2",
            "first: &dir ~/one",
            "jobs:",
            "  a:",
            "    working_directory: *dir",
            "    steps: [checkout]",
            "  b:",
            "    description: &dir ~/two",
            "    working_directory: *dir",
            "    steps: [checkout]",
            "workflows:",
            "  w:",
            "    jobs: [a, b]"));

        var jobs = plan.Workflows[0].Jobs;
        Assert.Equal("~/one", jobs[0].WorkingDirectory);
        Assert.Equal("~/two", jobs[1].WorkingDirectory);
    }

    [Fact]
    public void An_alias_before_its_anchor_is_an_error_at_the_alias()
    {
        var result = ReadCircle(
            "version: 2",
            "jobs:",
            "  build:",
            "    working_directory: *later",
            "    steps: [checkout]",
            "x: &later ~/x");

        OnlyError(result, 4, 24, "the alias *later has no anchor &later before it");
    }

    [Fact]
    public void An_aliased_step_is_reported_where_the_alias_is_used()
    {
        var result = ReadCircle(
            "version: 2",
            "cache: &cache",
            "  save_cache:",
            "    key: k",
            "jobs:",
            "  build:",
            "    steps:",
            "      - checkout",
            "      - *cache");

        OnlyError(result, 9, 9, "save_cache needs paths");
    }

    [Fact]
    public void Crlf_line_endings_and_no_final_newline_read_the_same()
    {
        var text = "version: 2\r\njobs:\r\n  build:\r\n    steps:\r\n      - run: |\r\n          echo one\r\n          echo two";
        var result = ConfigReader.Read(CirclePath, text);

        var job = OnlyJob(result);
        Assert.Equal("echo one\necho two", job.Steps[0].Command);
    }

    [Fact]
    public void Crlf_positions_count_lines_as_lf_does()
    {
        var text = "version: 2\r\njobs:\r\n  build:\r\n    steps:\r\n      - bogus\r\n";

        OnlyError(ConfigReader.Read(CirclePath, text), 5, 9, "unknown step type 'bogus'");
    }

    [Fact]
    public void Tabs_inside_plain_scalars_and_non_ascii_text_are_kept()
    {
        var job = OnlyJob(ReadCircle(
            "version: 2",
            "jobs:",
            "  build:",
            "    environment:",
            "      TABBED: a\tb",
            "      MARK: Kafka® ünïcode",
            "    steps: [checkout]"));

        Assert.Equal([new("TABBED", "a\tb"), new("MARK", "Kafka® ünïcode")], job.Environment);
    }

    [Fact]
    public void A_byte_order_mark_is_not_part_of_the_first_key()
    {
        var result = ConfigReader.Read(CirclePath, "\uFEFFversion: 2\njobs:\n  build:\n    steps: [checkout]\n");

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
    }

    [Fact]
    public void A_double_quoted_string_closed_at_its_key_indentation_is_read_as_libyaml_reads_it()
    {
        // jekyll/jekyll's notifications.slack.secure; YamlDotNet alone refuses the indentation of the closing quote.
        var job = OnlyJob(ReadCircle(
            "version: 2",
            "jobs:",
            "  build:",
            "    environment:",
            "      TOKEN: \"\\",
            "        abc\\",
            "        def\\",
            "      \"",
            "    steps: [checkout]"));

        Assert.Equal([new("TOKEN", "abcdef")], job.Environment);
    }

    [Fact]
    public void Explicit_document_start_is_fine_but_a_second_document_is_refused()
    {
        Assert.True(ReadCircle("---", "version: 2", "jobs:", "  build:", "    steps: [checkout]").IsValid);

        var result = ReadCircle("version: 2", "jobs:", "  build:", "    steps: [checkout]", "---", "other: 1");
        OnlyError(result, 5, 1, "the config must hold one YAML document");
    }

    [Fact]
    public void A_key_that_is_a_list_is_an_error_at_the_key()
    {
        var result = ReadCircle("version: 2", "? [a, b]", ": 1");

        OnlyError(result, 2, 3, "a map key must be a string, found a list");
    }
}
