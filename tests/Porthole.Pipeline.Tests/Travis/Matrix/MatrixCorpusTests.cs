using Porthole.Pipeline.Travis.Matrix;
using Porthole.Pipeline.Yaml;
using Porthole.Testing;
using static Porthole.Pipeline.Tests.Travis.Matrix.MatrixRun;

namespace Porthole.Pipeline.Tests.Travis.Matrix;

/// <summary>
/// Issue 13's bar on the corpus: every Travis config expands without errors, and for five with the hardest matrices the
/// exact job list (number, stage, axis values, env, allowed to fail) is the one derived by hand from §B9 and §B10 in the
/// comments. Conditions are decided by a table of the corpus's two, for a push to master: no condition is evaluated.
/// </summary>
public sealed class MatrixCorpusTests
{
    /// <summary>The corpus's conditions for a push (not a cron build) to master; any other fails the test.</summary>
    private static readonly ConditionCheck PushToMaster = (condition, _, _) => condition switch
    {
        "type = cron" => false,
        "branch = master" => true,
        _ => throw new InvalidOperationException($"no answer for the condition '{condition}'"),
    };

    public static TheoryData<string> Files() =>
        [.. Directory.GetFiles(Path.Combine(CorpusFolder.Root, "travis"), "*.yml").Select(path => Path.GetFileName(path)).Order(StringComparer.Ordinal)];

    private static TravisBuild Corpus(string file, ConditionCheck? accept = null)
    {
        var (build, errors) = Expand(File.ReadAllText(Path.Combine(CorpusFolder.Root, "travis", file)), accept ?? PushToMaster);
        Assert.True(errors.Count == 0, $"{file}:\n{Messages(errors)}");
        return build;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_travis_corpus_file_expands_without_errors(string file)
    {
        var build = Corpus(file);

        Assert.NotEmpty(build.Jobs);
        Assert.All(build.Jobs, job => Assert.True(job.Config.Has("language") && job.Config.Has("os"), Row(job)));
    }

    [Fact]
    public void Doctrine_orm_php_by_env_with_included_stages_a_cron_job_and_nightly_allowed_to_fail()
    {
        // Step 1: os [linux] × php [7.1, 7.2, nightly] × env [sqlite, mysql, pgsql] = 9 jobs, php outermost.
        // Step 2: 10 includes, all stage Test or Code Quality; 5 of them have no php and inherit 7.1 (step 5).
        // Step 8: the include "if: type = cron" is dropped on a push. 18 jobs.
        // §B10: no stages: key; "Test" is a job stage named test, so the expanded jobs are in "Test"; stages Test, Code Quality.
        // allow_failures php: nightly (exact): 3 expanded jobs and 2 includes; each goes last in its stage.
        var build = Corpus("doctrine__orm.yml");

        Assert.Equal(["Test", "Code Quality"], build.Stages.Select(stage => stage.Name));
        Assert.False(build.FastFinish);
        Assert.Equal(
            [
                "1. php=7.1 | DB=sqlite | Test",
                "2. php=7.1 | DB=mysql | Test",
                "3. php=7.1 | DB=pgsql | Test",
                "4. php=7.2 | DB=sqlite | Test",
                "5. php=7.2 | DB=mysql | Test",
                "6. php=7.2 | DB=pgsql | Test",
                "7. php=7.1 | DB=mariadb | Test",
                "8. php=7.1 | DB=mysql MYSQL_VERSION=5.7 | Test",
                "9. php=7.2 | DB=mysql MYSQL_VERSION=5.7 | Test",
                "10. php=7.1 | DB=sqlite DEPENDENCIES=low | Test",
                "11. php=7.1 | DB=sqlite COVERAGE | Test",
                "12. php=nightly | DB=sqlite | Test | allow_failure",
                "13. php=nightly | DB=mysql | Test | allow_failure",
                "14. php=nightly | DB=pgsql | Test | allow_failure",
                "15. php=nightly | DB=mysql MYSQL_VERSION=5.7 | Test | allow_failure",
                "16. php=7.1 | DB=none STATIC_ANALYSIS | Code Quality",
                "17. php=7.1 | DB=none BENCHMARK | Code Quality",
                "18. php=nightly | DB=none CODING_STANDARDS | Code Quality | allow_failure",
            ],
            NumberedRows(build, "php"));
        Assert.All(build.Jobs, job => Assert.Equal("language=php os=linux dist=precise", Row(job, "language", "os", "dist").Split(" | ")[0]));

        // On a cron build the include with "if: type = cron" is job 11, in Test before the jobs allowed to fail.
        var cron = Corpus("doctrine__orm.yml", (condition, _, _) => condition == "type = cron");
        Assert.Equal(19, cron.Jobs.Count);
        Assert.Equal("php=7.1 | DB=sqlite DEV_DEPENDENCIES | Test", Row(cron.Jobs[10], "php"));
    }

    [Fact]
    public void Rails_rvm_by_env_with_a_global_env_includes_and_three_kinds_of_allowed_failures()
    {
        // Step 1: rvm [2.4.4, 2.5.1, ruby-head] × env.matrix (9 entries) = 27 jobs; step 2: 9 includes, 36 jobs, no
        // duplicates. Step 6: JRUBY_OPTS (env.global) first in every env. No stages.
        // allow_failures: rvm ruby-head (9 expanded + 1 include), rvm jruby-head (2 includes), env GEM=ac:integration
        // (compared without the global env: the 9th entry of 2.4.4 and 2.5.1). 22 jobs first, then those 14 in order.
        var build = Corpus("rails__rails.yml");

        const string Global = "JRUBY_OPTS='--dev -J-Xmx1024M', ";
        string[] gems = ["GEM=railties", "GEM=ap,ac", "GEM=am,amo,as,av,aj,ast", "GEM=as PRESERVE_TIMEZONES=1", "GEM=ar:mysql2", "GEM=ar:sqlite3", "GEM=ar:postgresql", "GEM=guides"];
        string[] expected =
        [
            .. gems.Select(gem => $"rvm=2.4.4 jdk=- | {Global}{gem} | test"),
            .. gems.Select(gem => $"rvm=2.5.1 jdk=- | {Global}{gem} | test"),
            $"rvm=2.5.1 jdk=- | {Global}GEM=av:ujs | test",
            $"rvm=2.4.4 jdk=- | {Global}GEM=aj:integration | test",
            $"rvm=2.5.1 jdk=- | {Global}GEM=aj:integration | test",
            $"rvm=2.5.1 jdk=- | {Global}GEM=ar:mysql2 MYSQL=mariadb | test",
            $"rvm=2.5.1 jdk=- | {Global}GEM=ar:sqlite3_mem | test",
            $"rvm=2.5.1 jdk=- | {Global}GEM=ar:postgresql POSTGRES=9.2 | test",
            $"rvm=2.4.4 jdk=- | {Global}GEM=ac:integration | test | allow_failure",
            $"rvm=2.5.1 jdk=- | {Global}GEM=ac:integration | test | allow_failure",
            .. gems.Append("GEM=ac:integration").Select(gem => $"rvm=ruby-head jdk=- | {Global}{gem} | test | allow_failure"),
            $"rvm=ruby-head jdk=- | {Global}GEM=aj:integration | test | allow_failure",
            $"rvm=jruby-head jdk=oraclejdk8 | {Global}GEM=ap | test | allow_failure",
            $"rvm=jruby-head jdk=oraclejdk8 | {Global}GEM=am,amo,aj | test | allow_failure",
        ];

        Assert.Equal(expected.Select((row, index) => $"{index + 1}. {row}"), NumberedRows(build, "rvm", "jdk"));
        Assert.Empty(build.Stages);
        Assert.True(build.FastFinish);
        Assert.Equal("{mariadb: 10.3}", Text(build.Jobs[19].Config.Get("addons")));
        Assert.Equal("[memcached, redis-server, rabbitmq]", Text(build.Jobs[17].Config.Get("services")));
        Assert.Equal("[memcached, redis-server]", Text(build.Jobs[0].Config.Get("services")));
    }

    [Fact]
    public void Koalaman_shellcheck_includes_only_with_a_carried_stage_an_osx_job_and_a_conditional_deploy()
    {
        // Step 1: os: linux is the lone job, dropped for the 6 includes (step 2). "Build" is carried to entries 2-5.
        // The 6th entry starts "Deploy docker image"; its "if: branch = master" holds on master (step 8).
        // The osx job loses the default dist focal (support rule). No stages: key: Build, then Deploy docker image.
        var build = Corpus("koalaman__shellcheck.yml");

        Assert.Equal(["Build", "Deploy docker image"], build.Stages.Select(stage => stage.Name));
        Assert.Equal(
            [
                "1. os=linux dist=focal | BUILD=linux | Build",
                "2. os=linux dist=focal | BUILD=windows | Build",
                "3. os=linux dist=focal | BUILD=armv6hf | Build",
                "4. os=linux dist=focal | BUILD=aarch64 | Build",
                "5. os=osx dist=- | BUILD=osx | Build",
                "6. os=linux dist=focal | - | Deploy docker image",
            ],
            NumberedRows(build, "os", "dist"));
        Assert.All(build.Jobs, job => Assert.Equal("shell", Text(job.Config.Get("language"))));
        Assert.Equal("[source ./.multi_arch_docker, set -ex; multi_arch_docker::main; set +x]", Text(build.Jobs[5].Config.Get("script")));

        // Elsewhere than master the deploy job is skipped, and its stage, left empty, with it (§B10).
        var other = Corpus("koalaman__shellcheck.yml", (condition, _, _) => condition != "branch = master");
        Assert.Equal(["Build"], other.Stages.Select(stage => stage.Name));
        Assert.Equal(5, other.Jobs.Count);
    }

    [Fact]
    public void Alacritty_os_by_rust_with_allowed_failures_by_rust_and_by_os()
    {
        // Step 1: os [linux, osx, windows] × rust [stable, nightly] = 6 jobs, os outermost; focal only on linux.
        // allow_failures: rust nightly (3 jobs) and os windows (2 jobs, one already): 4 jobs go last, in order.
        var build = Corpus("alacritty__alacritty.yml");

        Assert.Equal(
            [
                "1. os=linux rust=stable dist=focal | - | test",
                "2. os=osx rust=stable dist=- | - | test",
                "3. os=linux rust=nightly dist=focal | - | test | allow_failure",
                "4. os=osx rust=nightly dist=- | - | test | allow_failure",
                "5. os=windows rust=stable dist=- | - | test | allow_failure",
                "6. os=windows rust=nightly dist=- | - | test | allow_failure",
            ],
            NumberedRows(build, "os", "rust", "dist"));
        Assert.True(build.FastFinish);
        Assert.Empty(build.Stages);
    }

    [Fact]
    public void Jekyll_rvm_by_env_matrix_with_two_rubies_allowed_to_fail()
    {
        // Step 1: rvm (5) × env.matrix (2) = 10 jobs; allow_failures rvm jruby-9.0.3.0 and ruby-head: 4 jobs last.
        var build = Corpus("jekyll__jekyll.yml");

        Assert.Equal(
            [
                "1. rvm=2.0 | TEST_SUITE=test | test",
                "2. rvm=2.0 | TEST_SUITE=cucumber | test",
                "3. rvm=2.1 | TEST_SUITE=test | test",
                "4. rvm=2.1 | TEST_SUITE=cucumber | test",
                "5. rvm=2.2 | TEST_SUITE=test | test",
                "6. rvm=2.2 | TEST_SUITE=cucumber | test",
                "7. rvm=jruby-9.0.3.0 | TEST_SUITE=test | test | allow_failure",
                "8. rvm=jruby-9.0.3.0 | TEST_SUITE=cucumber | test | allow_failure",
                "9. rvm=ruby-head | TEST_SUITE=test | test | allow_failure",
                "10. rvm=ruby-head | TEST_SUITE=cucumber | test | allow_failure",
            ],
            NumberedRows(build, "rvm"));
        Assert.True(build.FastFinish);
        Assert.All(build.Jobs, job => Assert.Equal("--without doc:util:site:benchmark:development", Text(job.Config.Get("bundler_args"))));
    }
}
