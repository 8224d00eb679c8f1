using Porthole.Contracts.Plans;
using static Porthole.Pipeline.Tests.Support.Configs;

namespace Porthole.Pipeline.Tests.CircleCi;

/// <summary><c>save_cache</c> and <c>restore_cache</c> (dialects.md §A5), planned as typed steps whose keys are checked here.</summary>
public sealed class CircleCiCacheStepTests
{
    private const string JobShell = "/bin/sh -e";

    /// <summary>A job whose steps start on line 7, with a shell of its own so that the steps' shell is seen to be the job's.</summary>
    private static ConfigResult ReadSteps(params string[] steps) =>
        ReadCircle(["version: 2", "jobs:", "  build:", "    docker: [{image: cimg/base:2024.06}]", $"    shell: {JobShell}", "    steps:", .. steps]);

    private static int Column(string line, string text) => line.IndexOf(text, StringComparison.Ordinal) + 1;

    [Fact]
    public void Save_cache_is_a_typed_step_named_as_circleci_names_it_in_the_jobs_shell()
    {
        var step = Assert.Single(OnlyJob(ReadSteps(
            "      - save_cache:",
            "          key: v1-{{ .Branch }}-{{ checksum \"package-lock.json\" }}",
            "          paths:",
            "            - node_modules",
            "            - ~/.npm")).Steps);

        Assert.Equivalent(
            new StepPlan(StepKind.SaveCache, "Saving Cache", null, JobShell, [], null, false, StepCondition.OnSuccess, null)
            {
                SaveCache = new SaveCachePlan("v1-{{ .Branch }}-{{ checksum \"package-lock.json\" }}", ["node_modules", "~/.npm"]),
            },
            step,
            strict: true);
        Assert.False(step.SaveCache!.Replace);
        Assert.True(step.AffectsResult);
        Assert.Null(step.Phase);
    }

    [Fact]
    public void Save_cache_takes_one_path_as_a_string_a_name_and_a_when()
    {
        var step = Assert.Single(OnlyJob(ReadSteps("      - save_cache: {key: gems, paths: vendor/bundle, name: Save gems, when: always}")).Steps);

        Assert.Equal(("Save gems", StepCondition.Always), (step.Name, step.When));
        Assert.Equal(["vendor/bundle"], step.SaveCache!.Paths);
    }

    [Theory]
    [InlineData("      - save_cache: {paths: [a]}", "save_cache needs key")]
    [InlineData("      - save_cache: {key: k}", "save_cache needs paths")]
    [InlineData("      - save_cache: {name: nothing}", "save_cache needs key and paths")]
    [InlineData("      - save_cache", "save_cache needs key and paths")]
    [InlineData("      - save_cache: {key: k, paths: []}", "paths is empty")]
    public void A_save_cache_without_its_key_or_paths_is_an_error_at_the_step(string step, string message)
    {
        var result = ReadSteps(step);

        Assert.Single(result.Errors);
        Assert.Contains(result.Errors, e => e.Line == 7 && e.Message == message);
    }

    [Fact]
    public void A_save_cache_path_with_a_wildcard_is_an_error_at_the_star()
    {
        // §A5: save_cache paths have no wildcards (a workspace's do).
        const string path = "            - node_modules/*/dist";
        var result = ReadSteps("      - save_cache:", "          key: k", "          paths:", "            - vendor", path);

        OnlyError(result, 11, Column(path, "*"), "save_cache paths have no wildcards: 'node_modules/*/dist'");
    }

    [Fact]
    public void An_unknown_save_cache_key_is_an_error_naming_it_and_what_the_step_takes()
    {
        const string line = "      - save_cache: {key: k, paths: [a], root: x}";

        OnlyError(ReadSteps(line), 7, Column(line, "root"), "unknown save_cache key 'root'; it takes key, paths, name and when");
    }

    [Fact]
    public void A_bad_when_is_an_error_at_its_value()
    {
        const string line = "      - save_cache: {key: k, paths: [a], when: sometimes}";

        OnlyError(ReadSteps(line), 7, Column(line, "sometimes"), "when must be always, on_success or on_fail, found 'sometimes'");
    }

    [Fact]
    public void Save_cache_arguments_that_are_not_a_map_are_an_error()
    {
        const string line = "      - save_cache: node_modules";

        OnlyError(ReadSteps(line), 7, Column(line, "node_modules"), "save_cache must be a map of key, paths, name and when, found a string");
    }

    [Fact]
    public void A_malformed_key_template_written_plainly_is_an_error_at_the_broken_action()
    {
        const string line = "          key: v1-{{ .Branch }}-{{ checksum \"yarn.lock\"";
        var result = ReadSteps("      - save_cache:", line, "          paths: [node_modules]");

        // The second action is never closed: the error points at its {{, not at the start of the key.
        var error = OnlyError(result, 8, line.LastIndexOf("{{", StringComparison.Ordinal) + 1, "malformed cache key");
        Assert.Contains("unclosed action", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unsupported_action_form_points_at_its_word()
    {
        const string line = "          key: v1-{{ if .Branch }}x{{ end }}";

        var error = OnlyError(ReadSteps("      - save_cache:", line, "          paths: [a]"), 8, Column(line, "if"), "malformed cache key");
        Assert.StartsWith("malformed cache key 'v1-{{ if .Branch }}x{{ end }}': template: cacheKey:1:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_quoted_key_is_an_error_at_the_scalar()
    {
        // In a quoted scalar an escape can make the text longer than the value: the scalar's start is what is certain.
        const string line = "          key: \"v1-\\u0041-{{ .Branch\"";

        OnlyError(ReadSteps("      - save_cache:", line, "          paths: [a]"), 8, Column(line, "\""), "unclosed action");
    }

    [Fact]
    public void A_malformed_key_reached_through_an_alias_is_an_error_where_the_alias_is_used()
    {
        var result = ReadCircle(
            "version: 2",
            "keys:",
            "  bad: &bad v1-{{ .Branch",
            "jobs:",
            "  build:",
            "    steps:",
            "      - save_cache: {key: *bad, paths: [a]}");

        OnlyError(result, 7, Column("      - save_cache: {key: *bad, paths: [a]}", "*bad"), "unclosed action");
    }

    [Fact]
    public void An_unknown_template_function_is_left_for_the_node_where_it_fails_the_step()
    {
        // Parse checks syntax only; CircleCI itself fails such a key when it renders it (§A5 "A bad function…").
        var step = Assert.Single(OnlyJob(ReadSteps("      - save_cache: {key: 'v1-{{ parameters \"x\" }}-{{ .Nonsense }}', paths: [a]}")).Steps);

        Assert.Equal("v1-{{ parameters \"x\" }}-{{ .Nonsense }}", step.SaveCache!.Key);
    }

    [Fact]
    public void Restore_cache_tries_key_then_keys_in_order_whatever_order_they_are_written_in()
    {
        var step = Assert.Single(OnlyJob(ReadSteps(
            "      - restore_cache:",
            "          keys:",
            "            - v1-deps-{{ checksum \"Gemfile.lock\" }}",
            "            - v1-deps-",
            "          key: v1-exact-{{ .Revision }}")).Steps);

        Assert.Equivalent(
            new StepPlan(StepKind.RestoreCache, "Restoring Cache", null, JobShell, [], null, false, StepCondition.OnSuccess, null)
            {
                RestoreCache = new RestoreCachePlan(["v1-exact-{{ .Revision }}", "v1-deps-{{ checksum \"Gemfile.lock\" }}", "v1-deps-"]),
            },
            step,
            strict: true);
        Assert.False(step.RestoreCache!.Exact);
    }

    [Fact]
    public void Restore_cache_takes_a_name()
    {
        var step = Assert.Single(OnlyJob(ReadSteps("      - restore_cache: {key: k, name: Restore gems}")).Steps);

        Assert.Equal("Restore gems", step.Name);
        Assert.Equal(["k"], step.RestoreCache!.Keys);
    }

    [Theory]
    [InlineData("      - restore_cache: {name: nothing}", "restore_cache", "restore_cache needs key or keys")]
    [InlineData("      - restore_cache", "restore_cache", "restore_cache needs key or keys")]
    [InlineData("      - restore_cache: {keys: []}", "[]", "keys is empty")]
    [InlineData("      - restore_cache: {keys: v1-deps}", "v1-deps", "keys must be a list, found a string")]
    [InlineData("      - restore_cache: {key: k, when: always}", "when", "unknown restore_cache key 'when'; it takes key, keys and name")]
    [InlineData("      - restore_cache: {keys: [k, [nested]]}", "[nested]", "an item of keys must be a string, found a list")]
    [InlineData("      - restore_cache: {key: [a, b]}", "[a, b]", "key must be a string, found a list")]
    public void Restore_cache_errors_point_at_their_cause(string step, string at, string message)
    {
        OnlyError(ReadSteps(step), 7, Column(step, at), message);
    }

    [Fact]
    public void A_malformed_key_in_keys_points_into_its_item()
    {
        const string item = "            - v1-{{ }}";

        var error = OnlyError(ReadSteps("      - restore_cache:", "          keys:", "            - v1-", item), 10, Column(item, "{{"), "malformed cache key");
        Assert.Contains("missing value for command", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("restore-cache", "restore_cache", StepKind.RestoreCache, "      - restore-cache: {keys: [v1-]}")]
    [InlineData("save-cache", "save_cache", StepKind.SaveCache, "      - save-cache: {key: v1, paths: [a]}")]
    public void The_hyphenated_spelling_is_planned_the_same_with_a_warning_at_the_step(string old, string current, StepKind kind, string line)
    {
        // §14.4: CircleCI 2.0 read them; babel's config still writes restore-cache.
        var result = ReadSteps(line);

        Assert.Equal(kind, Assert.Single(OnlyJob(result).Steps).Kind);
        var warning = Assert.Single(result.Warnings);
        Assert.Equal((CirclePath, 7, 9, $"'{old}' is the old spelling of '{current}'"), (warning.File, warning.Line, warning.Column, warning.Message));
    }

    [Fact]
    public void A_warning_comes_with_the_errors_of_an_invalid_config_too()
    {
        var result = ReadSteps("      - restore-cache: {keys: [v1-]}", "      - nonsense");

        Assert.False(result.IsValid);
        Assert.Single(result.Warnings);
        Assert.Single(result.Errors);
    }

    [Fact]
    public void A_valid_config_without_old_spellings_has_no_warnings()
    {
        Assert.Empty(ReadSteps("      - restore_cache: {keys: [v1-]}", "      - save_cache: {key: v1, paths: [a]}").Warnings);
    }

    [Fact]
    public void Other_hyphenated_step_types_are_unknown_with_their_spelling_named()
    {
        const string line = "      - store-artifacts: {path: dist}";

        OnlyError(ReadSteps(line), 7, 9, "unknown step type 'store-artifacts'; the step is spelled 'store_artifacts'");
    }

    [Fact]
    public void Parameters_in_a_key_are_substituted_at_compile_time_and_an_undeclared_one_is_an_error()
    {
        // CA: << parameters >> in keys is substituted earlier, at compile time; {{ }} is left for the node.
        var planned = ReadCircle(
            "version: 2.1",
            "jobs:",
            "  build:",
            "    parameters: {os: {type: string, default: linux}}",
            "    steps:",
            "      - save_cache: {key: 'v1-<< parameters.os >>-{{ .Branch }}', paths: [a]}");
        var refused = ReadCircle("version: 2.1", "jobs:", "  build:", "    steps:", "      - save_cache: {key: 'v1-<< parameters.os >>', paths: [a]}");

        Assert.Equal("v1-linux-{{ .Branch }}", OnlyJob(planned).Steps[0].SaveCache!.Key);
        ErrorAt(refused, 5, 27, "Arguments referenced without declared parameters: parameters.os");
    }
}
