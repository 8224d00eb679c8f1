using System.Diagnostics;
using Porthole.Pipeline.CircleCi.Compiler;
using Porthole.Pipeline.Yaml;
using static Porthole.Pipeline.Tests.Support.Configs;

namespace Porthole.Pipeline.Tests.CircleCi.Compiler;

/// <summary>A workflow job invocation's <c>matrix:</c> (dialects.md §A2).</summary>
public sealed class MatrixTests
{
    [Fact]
    public void The_product_comes_in_declaration_order_with_the_last_parameter_turning_fastest()
    {
        var (spec, errors) = Read(Lines(
            "matrix:",
            "  parameters:",
            "    version: ['0.1', '0.2']",
            "    platform: [macos, linux]"));

        Assert.Empty(errors.ToList());
        Assert.Equal(
            ["0.1/macos", "0.1/linux", "0.2/macos", "0.2/linux"],
            spec!.Instances.Select(i => string.Join("/", i.Values.Select(v => ((ScalarNode)v.Value).Value))));
        Assert.All(spec.Instances, i => Assert.Equal(["version", "platform"], i.Values.Select(v => v.Key)));
        Assert.Equal("build", spec.Alias);
    }

    [Fact]
    public void Default_names_put_the_values_in_alphabetical_order_of_parameter_name_as_A2_and_14_1_choose()
    {
        // CR's example: version × platform gives build-macos-0.1 … build-linux-0.3 (platform sorts before version).
        var (spec, _) = Read(Lines(
            "matrix:",
            "  parameters:",
            "    version: ['0.1', '0.2', '0.3']",
            "    platform: [macos, windows, linux]"));

        Assert.Equal(
            ["build-macos-0.1", "build-windows-0.1", "build-linux-0.1", "build-macos-0.2", "build-windows-0.2", "build-linux-0.2", "build-macos-0.3", "build-windows-0.3", "build-linux-0.3"],
            spec!.Instances.Select(i => i.DefaultName));
    }

    [Fact]
    public void The_MX_example_names_node_version_before_os()
    {
        var (spec, _) = Read("matrix: {parameters: {os: [docker, linux, macos], node-version: ['14.17.6', '16.9.0']}}", job: "test");

        Assert.Equal("test-14.17.6-docker", spec!.Instances[0].DefaultName);
        Assert.Equal(6, spec.Instances.Count);
    }

    [Fact]
    public void Values_keep_their_yaml_nodes_so_a_quoted_number_stays_a_string_and_a_plain_one_does_not()
    {
        var (spec, _) = Read("matrix: {parameters: {v: ['0.1', 0.2, true, \"true\"]}}");

        var values = spec!.Instances.Select(i => (ScalarNode)i.Values[0].Value).ToList();
        Assert.Equal([("0.1", false), ("0.2", true), ("true", true), ("true", false)], values.Select(v => (v.Value, v.IsPlain)));
    }

    [Fact]
    public void Exclude_removes_each_complete_combination_CR_example_gives_eight_jobs()
    {
        var (spec, errors) = Read(Lines(
            "matrix:",
            "  parameters: {a: [1, 2, 3], b: [4, 5, 6]}",
            "  exclude:",
            "    - {a: 3, b: 5}"));

        Assert.Empty(errors.ToList());
        Assert.Equal(8, spec!.Instances.Count);
        Assert.DoesNotContain("build-3-5", spec.Instances.Select(i => i.DefaultName));
    }

    [Fact]
    public void An_exclude_with_a_quoted_value_matches_the_plain_value_by_text()
    {
        var (spec, errors) = Read("matrix: {parameters: {a: [1, 2]}, exclude: [{a: '2'}]}");

        Assert.Empty(errors.ToList());
        Assert.Equal(["build-1"], spec!.Instances.Select(i => i.DefaultName));
    }

    [Fact]
    public void Alias_replaces_the_job_name_for_requires()
    {
        var (spec, _) = Read("matrix: {alias: build-all, parameters: {a: [1]}}");

        Assert.Equal("build-all", spec!.Alias);
        Assert.Equal("build-1", spec.Instances[0].DefaultName);
    }

    [Fact]
    public void The_flow_style_of_the_corpus_reads_like_the_block_style()
    {
        var (spec, errors) = Read("matrix: { parameters: { rails: ['7.0', '7.1'], ruby: ['3.2'] } }", job: "tests");

        Assert.Empty(errors.ToList());
        Assert.Equal(["tests-7.0-3.2", "tests-7.1-3.2"], spec!.Instances.Select(i => i.DefaultName));
    }

    [Fact]
    public void A_ten_thousand_job_matrix_is_one_error_at_the_matrix_found_before_building_anything()
    {
        var values = "[" + string.Join(", ", Enumerable.Range(0, 100)) + "]";
        var stopwatch = Stopwatch.StartNew();

        var (spec, errors) = Read($"matrix: {{parameters: {{a: {values}, b: {values}}}}}");

        Assert.Null(spec);
        var error = Assert.Single(errors.ToList());
        Assert.Equal((1, 9), (error.Line, error.Column));
        Assert.Equal("the matrix of job 'build' would make 10000 jobs; the limit is 1000 (use fewer values, or exclude combinations)", error.Message);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(1), $"took {stopwatch.Elapsed}");
    }

    [Fact]
    public void A_matrix_of_sixty_four_parameters_counts_its_jobs_exactly_without_overflow()
    {
        var parameters = string.Join(", ", Enumerable.Range(0, 64).Select(i => $"p{i}: [x, y]"));

        var (spec, errors) = Read($"matrix: {{parameters: {{{parameters}}}}}");

        Assert.Null(spec);
        Assert.Contains("would make 18446744073709551616 jobs", Assert.Single(errors.ToList()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Exactly_the_limit_is_allowed()
    {
        var values = "[" + string.Join(", ", Enumerable.Range(0, 10)) + "]";

        var (spec, errors) = Read($"matrix: {{parameters: {{a: {values}, b: {values}, c: {values}}}}}");

        Assert.Empty(errors.ToList());
        Assert.Equal(MatrixExpander.MaxInstances, spec!.Instances.Count);
    }

    [Theory]
    [InlineData("matrix: {parameters: {a: [1]}, axis: x}", 1, 32, "unknown matrix key 'axis'")]
    [InlineData("matrix: {alias: x}", 1, 9, "the matrix of job 'build' needs parameters")]
    [InlineData("matrix: [a]", 1, 9, "matrix must be a map, found a list")]
    [InlineData("matrix: {parameters: {}}", 1, 22, "matrix parameters is empty")]
    [InlineData("matrix: {parameters: {a: []}}", 1, 26, "matrix parameter 'a' must be a non-empty list of values, found an empty list")]
    [InlineData("matrix: {parameters: {a: 1}}", 1, 26, "matrix parameter 'a' must be a non-empty list of values, found a string")]
    [InlineData("matrix: {parameters: {a: [[1]]}}", 1, 27, "a value of matrix parameter 'a' must be a single value, found a list")]
    [InlineData("matrix: {parameters: {a: [1]}, exclude: [{b: 1}]}", 1, 43, "matrix exclude names 'b', which is not a matrix parameter (a)")]
    [InlineData("matrix: {parameters: {a: [1], b: [2]}, exclude: [{a: 1}]}", 1, 50, "a matrix exclude is a complete combination; this one lacks b")]
    [InlineData("matrix: {parameters: {a: [1]}, exclude: {a: 1}}", 1, 41, "matrix exclude must be a list")]
    [InlineData("matrix: {parameters: {a: [1]}, exclude: [{a: 1}]}", 1, 9, "makes no job: exclude removes every combination")]
    [InlineData("matrix: {parameters: {a: [1]}, alias: [x]}", 1, 39, "the matrix alias must be a string")]
    public void A_malformed_matrix_is_an_error_at_the_place(string yaml, int line, int column, string message)
    {
        var (spec, errors) = Read(yaml);

        Assert.Null(spec);
        Assert.Contains(errors.ToList(), e => (e.Line, e.Column) == (line, column) && e.Message.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public void An_exclude_that_matches_nothing_is_a_warning_and_excludes_nothing()
    {
        var (spec, errors) = Read("matrix: {parameters: {a: [1, 2]}, exclude: [{a: 3}]}");

        Assert.Empty(errors.ToList());
        Assert.Equal(2, spec!.Instances.Count);
        Assert.Contains("excludes nothing", Assert.Single(errors.Warnings()).Message, StringComparison.Ordinal);
    }

    private static (MatrixSpec? Spec, ErrorList Errors) Read(string yaml, string job = "build")
    {
        var errors = new ErrorList("config.yml");
        var root = (MapNode)YamlLoader.Load(yaml, errors)!;
        Assert.Empty(errors.ToList());
        return (MatrixExpander.Read(root.Get("matrix")!, job, errors), errors);
    }
}
