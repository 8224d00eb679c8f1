using System.Diagnostics;
using Porthole.Pipeline.Travis.Matrix;
using static Porthole.Pipeline.Tests.Travis.Matrix.MatrixRun;

namespace Porthole.Pipeline.Tests.Travis.Matrix;

/// <summary>Issue 13's bad input for the matrix: a clear error at the right place, nothing else lost, never a crash or a huge matrix.</summary>
public sealed class MatrixBadInputTests
{
    [Fact]
    public void A_language_that_is_a_list_is_an_error_and_the_first_is_used_as_travis_does()
    {
        var (build, errors) = Expand(["language: [python, ruby]", "python: [\"3.8\", \"3.9\"]"]);

        var error = Assert.Single(errors.ToList());
        Assert.Equal((1, 11), (error.Line, error.Column));
        Assert.Equal("language must be one language, found a list; Travis would use the first, 'python'", error.Message);
        Assert.Equal(["language=python python=3.8 | - | test", "language=python python=3.9 | - | test"], Rows(build, "language", "python"));
    }

    [Fact]
    public void Env_entries_that_are_secure_maps_are_kept_as_entries()
    {
        var build = Valid(["language: shell", "env:", "  global:", "    - secure: \"abc=\"", "  jobs:", "    - secure: \"def=\"", "    - A=1"]);

        Assert.Equal([" | {secure: abc=}, {secure: def=} | test", " | {secure: abc=}, A=1 | test"], Rows(build));
        Assert.All(build.Jobs, job => Assert.Equal(["{secure: abc=}"], job.GlobalEnv.Select(Text)));
    }

    [Fact]
    public void An_include_entry_that_is_a_string_is_an_error_naming_it_and_the_other_entries_are_jobs()
    {
        var (build, errors) = Expand(["language: shell", "jobs:", "  include:", "    - script: a", "    - \"script: b\"", "    - script: c"]);

        var error = Assert.Single(errors.ToList());
        Assert.Equal((5, 7), (error.Line, error.Column));
        Assert.Contains("found the string 'script: b'", error.Message, StringComparison.Ordinal);
        Assert.Equal(["script=a | - | test", "script=c | - | test"], Rows(build, "script"));
    }

    [Fact]
    public void A_matrix_past_200_jobs_is_an_error_at_the_root_naming_the_count_and_the_limit()
    {
        // 15 rvm × 15 env = 225 jobs.
        var versions = string.Join(", ", Enumerable.Range(1, 15).Select(n => $"\"3.{n}\""));
        var env = string.Join(", ", Enumerable.Range(1, 15).Select(n => $"N={n}"));
        var (build, errors) = Expand(["language: ruby", $"rvm: [{versions}]", $"env: [{env}]"]);

        var error = Assert.Single(errors.ToList());
        Assert.Equal((1, 1), (error.Line, error.Column));
        Assert.Equal("the build has 225 jobs; Travis allows at most 200 jobs in a build", error.Message);
        Assert.Empty(build.Jobs);

        // Travis counts after exclude: without two rvm values (30 jobs) the build fits.
        var fits = Valid(["language: ruby", $"rvm: [{versions}]", $"env: [{env}]", "jobs:", "  exclude:", "    - rvm: \"3.1\"", "    - rvm: \"3.2\""]);
        Assert.Equal(195, fits.Jobs.Count);
    }

    [Fact]
    public void A_huge_matrix_stops_before_it_is_made()
    {
        // 6 axes of 100 values: 10^12 jobs, refused from the axes' sizes alone.
        var values = string.Join(", ", Enumerable.Range(1, 100).Select(n => $"v{n}"));
        var env = string.Join(", ", Enumerable.Range(1, 100).Select(n => $"N={n}"));
        var clock = Stopwatch.StartNew();
        var (build, errors) = Expand(
            ["language: ruby", $"os: [linux, {values}]", $"arch: [{values}]", $"rvm: [{values}]", $"gemfile: [{values}]", $"jdk: [{values}]", $"env: [{env}]"]);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), clock.Elapsed.ToString());
        var error = Assert.Single(errors.ToList());
        Assert.Equal(
            "the build matrix expands to 1010000000000 jobs (101 os × 100 arch × 100 jdk × 100 rvm × 100 gemfile × 100 env); Travis allows at most 200 jobs in a build",
            error.Message);
        Assert.Empty(build.Jobs);
    }

    [Fact]
    public void Thousands_of_exclude_entries_over_a_large_matrix_stop_before_they_are_compared()
    {
        // 40 rvm × 100 env = 4,000 jobs before exclude (within 25 times the limit), against 2,600 entries.
        var versions = string.Join(", ", Enumerable.Range(1, 40).Select(n => $"\"1.{n}\""));
        var env = string.Join(", ", Enumerable.Range(1, 100).Select(n => $"N={n}"));
        string[] excludes = [.. Enumerable.Range(1, 2600).Select(n => $"    - env: M={n}")];
        var clock = Stopwatch.StartNew();
        var (build, errors) = Expand(["language: ruby", $"rvm: [{versions}]", $"env: [{env}]", "jobs:", "  exclude:", .. excludes]);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), clock.Elapsed.ToString());
        Assert.Equal(
            "the build matrix of 4000 jobs and 2600 exclude and allow_failures entries is too large to compute; Travis allows at most 200 jobs in a build",
            Assert.Single(errors.ToList()).Message);
        Assert.Empty(build.Jobs);
    }

    [Fact]
    public void The_limit_is_the_callers()
    {
        var (build, errors) = Expand(["language: ruby", "rvm: [\"2.6\", \"2.7\", \"3.0\"]"], maxJobs: 2);

        Assert.Equal("the build has 3 jobs; Travis allows at most 2 jobs in a build", Assert.Single(errors.ToList()).Message);
        Assert.Empty(build.Jobs);
    }

    [Fact]
    public void A_value_of_a_matrix_key_that_is_not_a_version_is_an_error_and_the_others_expand()
    {
        var (build, errors) = Expand(["language: ruby", "rvm:", "  - \"2.7\"", "  - [\"3.0\"]", "  - {v: 1}"]);

        Assert.Equal(
            ["4:5: each value of rvm must be a version or a name, found a list", "5:5: each value of rvm must be a version or a name, found a map"],
            errors.ToList().Select(error => $"{error.Line}:{error.Column}: {error.Message}"));
        Assert.Equal(["rvm=2.7 | - | test"], Rows(build, "rvm"));
    }

    [Theory]
    [InlineData("jobs: make", "jobs must be a map with include, exclude, allow_failures or fast_finish, or a list of jobs, found a string")]
    [InlineData("jobs:\n  exclude: [rvm]", "a jobs.exclude entry must be a map of job keys such as 'rvm: 3.2', found the string 'rvm'")]
    [InlineData("jobs:\n  allow_failures: [[a]]", "a jobs.allow_failures entry must be a map of job keys, found a list")]
    [InlineData("jobs:\n  fast_finish: sometimes", "jobs.fast_finish must be true or false, found 'sometimes'")]
    [InlineData("jobs:\n  include:\n    - script: a\n      if: [a]", "if must be a condition such as 'branch = master', found a list")]
    [InlineData("jobs:\n  include:\n    - stage: [a]", "a job's stage must be a string, found a list")]
    [InlineData("stages:\n  - if: branch = master", "a stages entry needs a name")]
    [InlineData("stages:\n  - [a]", "a stages entry must be a stage name or a map of name and if, found a list")]
    [InlineData("os: {linux: true}", "os must be a name such as linux, found a map")]
    [InlineData("jobs:\n  include: []\n  rvm: \"2.7\"", "unknown key 'rvm' in jobs; jobs takes include, exclude, allow_failures and fast_finish")]
    public void Malformed_sections_are_errors_and_never_a_crash(string config, string message)
    {
        var (build, errors) = Expand("language: ruby\n" + config + "\n");

        Assert.Contains(message, errors.ToList().Select(error => error.Message));
        Assert.NotNull(build);
    }

    [Fact]
    public void Other_keys_of_a_jobs_map_make_one_include_entry_as_travis_reads_them()
    {
        var (build, errors) = Expand(["language: ruby", "jobs:", "  fast_finish: true", "  rvm: \"2.7\"", "  name: one"]);

        Assert.Equal(0, errors.Count);
        Assert.Contains("make one jobs.include entry", Assert.Single(errors.Warnings()).Message, StringComparison.Ordinal);
        Assert.Equal(["rvm=2.7 name=one | - | test"], Rows(build, "rvm", "name"));
        Assert.True(build.FastFinish);
    }
}
