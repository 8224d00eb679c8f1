using Porthole.Contracts.Plans;
using Porthole.Pipeline.Travis;
using static Porthole.Pipeline.Tests.Support.Configs;

namespace Porthole.Pipeline.Tests.Travis;

/// <summary>Travis's <c>cache:</c> in every form of dialects.md §B12, and <c>before_cache</c> (§B0), as typed steps.</summary>
public sealed class TravisCacheTests
{
    /// <summary>sha256 of no variables at all, as travis-build's own slugs show it (<c>cache-linux-focal-e3b0c442…--rvm-default--gemfile-Gemfile</c>).</summary>
    private const string NoEnvironment = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    /// <summary>A job of <paramref name="language"/> whose further lines start on line 4.</summary>
    private static ConfigResult ReadJob(string language, params string[] lines) =>
        ReadTravis([$"language: {language}", "install: skip", "script: make test", .. lines]);

    private static IReadOnlyList<string> Cached(JobPlan job) =>
        Assert.Single(job.Steps, step => step.Kind == StepKind.SaveCache).SaveCache!.Paths;

    [Fact]
    public void Cache_as_a_scalar_is_a_restore_after_the_checkout_and_an_upload_after_the_script()
    {
        var job = OnlyJob(ReadJob("python", "cache: pip"));

        Assert.Equal(["checkout", "Restoring the cache", "setup", "script", "Uploading the cache"], job.Steps.Select(step => step.Name));

        // dist: focal is Travis's default and in every job's config (§B9), so it is in the slug as in Travis's own (§B12).
        var slug = $"cache-linux-focal-{NoEnvironment}--python-3.10";
        Assert.Equivalent(
            new StepPlan(StepKind.RestoreCache, "Restoring the cache", null, "/bin/bash", [], null, false, StepCondition.OnSuccess, null, AffectsResult: false)
            {
                RestoreCache = new RestoreCachePlan([$"travis/{{{{ .Branch }}}}/{slug}", $"travis/{{{{ .DefaultBranch }}}}/{slug}"]) { Exact = true },
            },
            job.Steps[1],
            strict: true);

        // Travis uploads whatever the result, and a failed upload does not fail the job (TD caching.md "Build phases").
        Assert.Equivalent(
            new StepPlan(StepKind.SaveCache, "Uploading the cache", null, "/bin/bash", [], null, false, StepCondition.Always, null, AffectsResult: false)
            {
                SaveCache = new SaveCachePlan($"travis/{{{{ .Branch }}}}/{slug}", ["~/.cache/pip"]) { Replace = true },
            },
            job.Steps[4],
            strict: true);
    }

    [Fact]
    public void The_cache_keys_are_templates_the_node_can_render()
    {
        // A variable's value goes into the slug only through its hash, so no slash or brace of it reaches the key.
        var job = OnlyJob(ReadJob("ruby", "cache: bundler", "env: GEMS=\"a/b {{c}}\""));

        string[] keys = [.. job.Steps[1].RestoreCache!.Keys, job.Steps[^1].SaveCache!.Key];
        Assert.Equal(3, keys.Length);
        Assert.All(keys, key =>
        {
            Assert.Empty(KeyTemplate.Parse(key).ChecksumPaths);
            Assert.Equal(2, key.Count(c => c == '/'));
            Assert.Equal(2, key.Split("{{").Length);
        });
    }

    [Fact]
    public void Cache_as_a_list_caches_each_kind_the_language_honours_and_warns_about_the_others()
    {
        var result = ReadJob("ruby", "cache: [bundler, pip]");

        Assert.Equal(["vendor/bundle"], Cached(OnlyJob(result)));
        var warning = Assert.Single(result.Warnings);
        Assert.Equal((4, 18), (warning.Line, warning.Column));
        Assert.Equal("cache pip does nothing in a ruby job: Travis caches pip only for python; list its folders under directories instead", warning.Message);
    }

    [Fact]
    public void Cache_as_a_map_lists_the_directories_first_then_the_kinds()
    {
        var job = OnlyJob(ReadJob(
            "python",
            "cache:",
            "  pip: true",
            "  timeout: 300",
            "  edge: true",
            "  directories:",
            "    - $HOME/.m2",
            "    - ./build/cache/",
            "    - $TRAVIS_BUILD_DIR/out",
            "    - /opt/tools",
            "    - ~/.m2"));

        Assert.Equal(["~/.m2", "build/cache", "out", "/opt/tools", "~/.cache/pip"], Cached(job));
    }

    [Fact]
    public void A_kind_set_false_is_not_cached()
    {
        var result = ReadJob("python", "cache: {pip: false, directories: [.tox]}");

        Assert.Equal([".tox"], Cached(OnlyJob(result)));
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void Cache_false_caches_nothing_not_even_node_js_npm_default()
    {
        var job = OnlyJob(ReadJob("node_js", "cache: false"));

        Assert.Equal(["checkout", "setup", "script"], job.Steps.Select(step => step.Name));
    }

    [Fact]
    public void Node_js_caches_npm_unless_told_not_to()
    {
        // TB data.rb DEFAULT_CACHES: npm is the one kind Travis caches without being asked.
        Assert.Equal(["node_modules", "~/.npm"], Cached(OnlyJob(ReadJob("node_js"))));
        Assert.Equal(["node_modules", "~/.npm"], Cached(OnlyJob(ReadJob("javascript", "cache: {directories: [node_modules]}"))));
        Assert.Equal(["~/.cache/yarn", "node_modules", "~/.npm"], Cached(OnlyJob(ReadJob("node_js", "cache: yarn"))));
        Assert.DoesNotContain(OnlyJob(ReadJob("node_js", "cache: {npm: false}")).Steps, step => step.Kind == StepKind.SaveCache);
        Assert.DoesNotContain(OnlyJob(ReadJob("python")).Steps, step => step.Kind is StepKind.SaveCache or StepKind.RestoreCache);
    }

    [Theory]
    [InlineData("rust", "cargo", new[] { "~/.cargo", "target", "~/.rustup", "~/.cache/sccache" })]
    [InlineData("c", "ccache", new[] { "~/.ccache" })]
    [InlineData("c++", "ccache", new[] { "~/.ccache" })]
    [InlineData("objective-c", "bundler", new[] { "vendor/bundle" })]
    [InlineData("Python", "pip", new[] { "~/.cache/pip" })]
    public void Each_kind_caches_its_folders_for_its_languages(string language, string kind, string[] folders)
    {
        Assert.Equal(folders, Cached(OnlyJob(ReadJob(language, $"cache: {kind}"))));
    }

    [Fact]
    public void Bundler_caches_bundle_path_when_the_config_sets_it()
    {
        Assert.Equal(["~/gems"], Cached(OnlyJob(ReadJob("ruby", "cache: bundler", "env: BUNDLE_PATH=$HOME/gems"))));
    }

    [Theory]
    [InlineData("cache: apt", 4, 8, "apt")]
    [InlineData("cache: [cocoapods, pip]", 4, 9, "cocoapods")]
    [InlineData("cache: {packages: true, pip: true}", 4, 9, "packages")]
    public void Kinds_this_runner_cannot_honour_are_warnings_and_the_rest_is_cached(string cache, int line, int column, string kind)
    {
        var result = ReadJob("python", cache);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var warning = Assert.Single(result.Warnings);
        Assert.Equal((line, column), (warning.Line, warning.Column));
        Assert.Equal($"cache {kind} is not supported here (this runner caches folders, not {kind}); nothing is cached for it", warning.Message);
    }

    [Fact]
    public void An_unsupported_kind_alone_leaves_nothing_to_cache()
    {
        var job = OnlyJob(ReadJob("generic", "cache: apt"));

        Assert.Equal(["checkout", "setup", "script"], job.Steps.Select(step => step.Name));
    }

    [Theory]
    [InlineData("cache: gradle", 4, 8, "unknown cache kind 'gradle'; Travis caches bundler, yarn, npm, pip, cargo, ccache and directories")]
    [InlineData("cache: {gradle: true}", 4, 9, "unknown cache key 'gradle'; cache takes directories, bundler, yarn, npm, pip, cargo, ccache, timeout, edge and branch")]
    [InlineData("cache: {pip: often}", 4, 14, "cache.pip must be true or false, found 'often'")]
    [InlineData("cache: {timeout: soon}", 4, 18, "cache.timeout must be a number of seconds, found 'soon'")]
    [InlineData("cache: {directories: {a: b}}", 4, 22, "cache.directories must be a list of paths, found a map")]
    [InlineData("cache: {directories: [[a]]}", 4, 23, "a cache directory must be a path, found a list")]
    [InlineData("cache: [[pip]]", 4, 9, "a cache entry must be a kind such as bundler or a map, found a list")]
    [InlineData("cache: directories", 4, 8, "cache: directories needs its folders")]
    public void Bad_cache_values_are_errors_at_their_cause(string cache, int line, int column, string message)
    {
        OnlyError(ReadJob("python", cache), line, column, message);
    }

    [Fact]
    public void Cache_true_names_nothing_and_says_so()
    {
        var result = ReadJob("generic", "cache: true");

        Assert.Equal(["checkout", "setup", "script"], OnlyJob(result).Steps.Select(step => step.Name));
        Assert.StartsWith("cache: true names nothing to cache", Assert.Single(result.Warnings).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cache_branch_is_a_warning_since_the_branch_caches_are_fixed()
    {
        var result = ReadJob("generic", "cache: {branch: main, directories: [x]}");

        Assert.Equal(["x"], Cached(OnlyJob(result)));
        Assert.Equal((4, 9), (Assert.Single(result.Warnings).Line, result.Warnings[0].Column));
    }

    [Fact]
    public void Before_cache_runs_after_script_and_before_the_upload_whatever_the_result_and_its_failure_is_ignored()
    {
        // §B0: ... script → before_cache → (cache upload) → after_success | after_failure → after_script.
        var job = OnlyJob(ReadTravis(
            "language: python",
            "install: skip",
            "cache: pip",
            "before_install: ./a",
            "before_script: ./b",
            "script: ./c",
            "before_cache: rm -f $HOME/.cache/pip/log/debug.log",
            "after_success: ./e",
            "after_failure: ./f",
            "after_script: ./g"));

        Assert.Equal(
            ["checkout", "Restoring the cache", "setup", "before_install", "before_script", "script", "before_cache", "Uploading the cache", "after_success", "after_failure", "after_script"],
            job.Steps.Select(step => step.Name));
        var beforeCache = job.Steps[6];
        Assert.Equal((StepKind.Run, StepCondition.Always, false, "before_cache"), (beforeCache.Kind, beforeCache.When, beforeCache.AffectsResult, beforeCache.Phase));
        Assert.Contains("rm -f $HOME/.cache/pip/log/debug.log", beforeCache.Command, StringComparison.Ordinal);
    }

    [Fact]
    public void Before_cache_without_a_cache_is_skipped_with_a_warning()
    {
        // TD job-lifecycle.md: before_cache runs "if and only if caching is effective".
        var result = ReadJob("generic", "before_cache: rm -rf tmp");

        Assert.Equal(["checkout", "setup", "script"], OnlyJob(result).Steps.Select(step => step.Name));
        var warning = Assert.Single(result.Warnings);
        Assert.Equal((4, 1, "before_cache runs only when the job has a cache to upload, and this one caches nothing; it is skipped"), (warning.Line, warning.Column, warning.Message));
    }

    [Fact]
    public void Before_cache_commands_are_checked_like_any_phase()
    {
        OnlyError(ReadJob("python", "cache: pip", "before_cache:", "  - rm: x"), 6, 5, "a before_cache command must be a string, found a map");
    }

    [Fact]
    public void Directories_use_the_configs_own_variables_and_keep_what_it_does_not_set_with_a_warning()
    {
        var result = ReadJob(
            "generic",
            "env:",
            "  global:",
            "    - SCONS_CACHE=$HOME/.scons_cache",
            "    - MIN_PHP=5.5.9",
            "cache:",
            "  directories:",
            "    - $SCONS_CACHE",
            "    - php-${MIN_PHP}",
            "    - $NOT_SET/x",
            "    - $HOME/.sbt/boot/scala*");

        Assert.Equal(["~/.scons_cache", "php-5.5.9", "$NOT_SET/x", "~/.sbt/boot/scala*"], Cached(OnlyJob(result)));
        Assert.Equal([(12, 7), (13, 7)], result.Warnings.Select(warning => (warning.Line, warning.Column)));
        Assert.Contains("$NOT_SET, which the config does not set,", result.Warnings[0].Message, StringComparison.Ordinal);
        Assert.Contains("is a shell pattern", result.Warnings[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_variable_that_names_itself_ends()
    {
        var result = ReadJob("generic", "env: LOOP=$LOOP/x", "cache: {directories: [$LOOP]}");

        Assert.True(result.IsValid);
        Assert.Single(result.Warnings);
    }

    [Fact]
    public void An_included_job_has_the_roots_cache_unless_it_gives_its_own()
    {
        var plan = Planned(ReadTravis(
            "language: python",
            "install: skip",
            "script: make",
            "cache: pip",
            "jobs:",
            "  include:",
            "    - name: inherits",
            "    - name: own",
            "      cache: {directories: [.tox]}",
            "    - name: none",
            "      cache: false"));

        var jobs = plan.Workflows[0].Jobs;
        Assert.Equal(["~/.cache/pip"], Cached(jobs[0]));
        Assert.Equal([".tox"], Cached(jobs[1]));
        Assert.DoesNotContain(jobs[2].Steps, step => step.Kind == StepKind.SaveCache);
    }

    [Fact]
    public void Matrix_jobs_with_the_same_variables_in_another_order_share_a_cache_and_others_do_not()
    {
        // TD caching.md "Caches and build matrices": the names and values of the variables pick the cache.
        // As env.jobs entries "A=1 B=2" and "B=2 A=1" would be one job (travis-yml compares them as hashes, §B9 step 8),
        // so two include entries that differ only in name carry them.
        var jobs = Planned(ReadJob(
            "generic",
            "cache: {directories: [x]}",
            "env:",
            "  global: [G=1]",
            "jobs:",
            "  include:",
            "    - {name: a, env: A=1 B=2}",
            "    - {name: b, env: B=2 A=1}",
            "    - {name: c, env: A=1 B=3}"))
            .Workflows[0].Jobs;

        Assert.Equal(["a", "b", "c"], jobs.Select(job => job.Name));
        Assert.Equal([new("G", "1"), new("A", "1"), new("B", "2")], jobs[0].Environment);
        Assert.Equal([new("G", "1"), new("B", "2"), new("A", "1")], jobs[1].Environment);
        var keys = jobs.Select(job => job.Steps.Single(step => step.Kind == StepKind.SaveCache).SaveCache!.Key).ToList();
        Assert.Equal(keys[0], keys[1]);
        Assert.NotEqual(keys[0], keys[2]);
        var lines = string.Join('\n', ["A=1", "B=2", "G=1"]);
        Assert.EndsWith(
            Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(lines))),
            keys[0],
            StringComparison.Ordinal);
    }
}
