using System.Diagnostics;
using Porthole.Contracts.Plans;
using Porthole.Pipeline.Travis;
using Porthole.Pipeline.Yaml;
using Porthole.Testing;
using static Porthole.Pipeline.Tests.Support.Configs;

namespace Porthole.Pipeline.Tests.Travis;

/// <summary>
/// <c>addons:</c> (dialects.md §B12): <c>addons.apt</c> and <c>apt_packages</c> as a step that runs as root in the job's
/// container after the language's setup and before before_install (§B0), with Porthole's own table of Travis's source
/// aliases; <c>postgresql</c>/<c>mariadb</c> versions; the addons that do nothing here warned about; the rest refused.
/// </summary>
public sealed class TravisAddonsTests
{
    private static JobPlan Job(params string[] lines) => OnlyJob(ReadTravis(lines));

    private static StepPlan AptStep(params string[] lines) => Assert.Single(Job(lines).Steps, step => step.Name == "apt");

    [Fact]
    public void Apt_packages_are_a_root_step_after_the_setup_and_before_before_install_in_the_languages_container()
    {
        var job = Job("language: python", "python: \"3.12\"", "addons:", "  apt:", "    packages: [libxml2-dev, zlib1g-dev]", "before_install: echo hi", "script: echo");

        var names = job.Steps.Select(step => step.Name).ToList();
        var apt = names.IndexOf("apt");
        Assert.True(apt > names.IndexOf("checkout") && apt > names.IndexOf("setup") && apt < names.IndexOf("before_install"), string.Join(", ", names));
        var step = job.Steps[apt];
        Assert.True(step.AsRoot);
        Assert.Equal("apt", step.Phase);
        Assert.Equal(StepCondition.OnSuccess, step.When);
        Assert.True(step.AffectsResult);
        Assert.Contains("install 'libxml2-dev' 'zlib1g-dev' ||", step.Command, StringComparison.Ordinal);
        Assert.Equal(ExecutorKind.Docker, job.Executor.Kind);
        Assert.StartsWith("python:3.12", job.Executor.Image, StringComparison.Ordinal);
        Assert.DoesNotContain(job.Steps, other => other.Name != "apt" && other.AsRoot);
    }

    [Fact]
    public void A_shell_job_with_apt_packages_runs_in_an_ubuntu_container_for_its_dist()
    {
        var job = Job("language: minimal", "dist: jammy", "addons:", "  apt: [curl]", "script: curl --version");

        Assert.Equal(ExecutorKind.Docker, job.Executor.Kind);
        Assert.Contains("ubuntu", job.Executor.Image, StringComparison.Ordinal);
        Assert.Contains("22.04", job.Executor.Image, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bare_list_a_scalar_the_package_key_and_legacy_apt_packages_all_name_packages_and_nested_lists_are_flattened()
    {
        Assert.Contains("install 'curl' ||", AptStep("language: shell", "addons:", "  apt: curl", "script: echo").Command, StringComparison.Ordinal);
        Assert.Contains("install 'curl' 'git' ||", AptStep("language: shell", "addons:", "  apt: [curl, git]", "script: echo").Command, StringComparison.Ordinal);
        Assert.Contains("install 'curl' ||", AptStep("language: shell", "addons:", "  apt:", "    package: curl", "script: echo").Command, StringComparison.Ordinal);
        Assert.Contains("install 'parallel' 'slapd' ||", AptStep("language: shell", "addons:", "  apt_packages: [parallel, slapd]", "script: echo").Command, StringComparison.Ordinal);

        // godot's packages are anchors of lists inside the list.
        var nested = AptStep("language: shell", "addons:", "  apt:", "    packages:", "      - &gcc [gcc-8, g++-8]", "      - [libx11-dev]", "script: echo");
        Assert.Contains("install 'gcc-8' 'g++-8' 'libx11-dev' ||", nested.Command, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_packages_sources_or_update_there_is_no_apt_step_and_update_alone_makes_one()
    {
        Assert.DoesNotContain(Job("language: shell", "addons:", "  apt:", "    update: false", "script: echo").Steps, step => step.Name == "apt");
        var update = AptStep("language: shell", "addons:", "  apt:", "    update: true", "script: echo");
        Assert.Contains("__porthole_try apt-get update -qq", update.Command, StringComparison.Ordinal);
        Assert.DoesNotContain("install '", update.Command, StringComparison.Ordinal);
        Assert.Contains("__porthole_attempts=1\n", update.Command, StringComparison.Ordinal);
        Assert.Contains("__porthole_attempts=3\n", AptStep("language: shell", "addons:", "  apt:", "    update: true", "    config: {retries: true}", "script: echo").Command, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"curl; rm -rf /\"")]
    [InlineData("\"$(reboot)\"")]
    [InlineData("\"-o APT::Get::AllowUnauthenticated=true\"")]
    [InlineData("Curl")]
    public void A_package_that_is_not_a_debian_package_name_is_an_error_at_its_node(string package)
    {
        OnlyError(ReadTravis("language: shell", "addons:", "  apt:", "    packages:", "      - " + package, "script: echo"), 5, 9, "is not a Debian package name");
    }

    [Fact]
    public void Versions_architectures_and_releases_of_packages_are_accepted()
    {
        var step = AptStep("language: shell", "addons:", "  apt: [\"libc6:i386\", \"gcc-8=8.4.0-1ubuntu1~18.04\", \"cmake/bionic-backports\"]", "script: echo");

        Assert.Contains("'libc6:i386' 'gcc-8=8.4.0-1ubuntu1~18.04' 'cmake/bionic-backports'", step.Command, StringComparison.Ordinal);
    }

    [Fact]
    public void A_hostile_sourceline_reaches_the_script_as_one_quoted_word_and_a_multi_line_one_is_refused()
    {
        const string Hostile = "deb [trusted=yes] http://example.invalid/'$(touch /tmp/x)'`id` ./";
        var step = AptStep("language: shell", "addons:", "  apt:", "    sources:", $"      - sourceline: \"{Hostile.Replace("\\", "\\\\", StringComparison.Ordinal)}\"", "script: echo");

        var line = Assert.Single(step.Command!.Split('\n'), l => l.StartsWith("__porthole_deb ", StringComparison.Ordinal));
        // bash itself reads the line, with the function replaced by one that prints its second word.
        Assert.Equal(Hostile, Bash("__porthole_deb() { printf '%s' \"$2\"; }\n" + line + "\n"));

        ErrorAt(ReadTravis("language: shell", "addons:", "  apt:", "    sources:", "      - sourceline: \"deb http://a/ x main\\nrm -rf /\"", "script: echo"), 5, 21, "is neither a one-line");
        ErrorAt(ReadTravis("language: shell", "addons:", "  apt:", "    sources:", "      - sourceline: \"curl http://a | sh\"", "script: echo"), 5, 21, "is neither a one-line");
        ErrorAt(ReadTravis("language: shell", "addons:", "  apt:", "    sources:", "      - {sourceline: \"deb http://a/ x main\", key_url: \"file:///etc/shadow\"}", "script: echo"), 5, 55, "key_url must be an http(s) URL");
    }

    [Fact]
    public void Source_aliases_are_the_sources_travis_meant()
    {
        var step = AptStep("language: shell", "addons:", "  apt:", "    sources: [ubuntu-toolchain-r-test, llvm-toolchain-xenial-6.0, mono, deadsnakes]", "    packages: [gcc-8]", "script: echo");

        Assert.Contains("__porthole_ppa 1 'ppa:ubuntu-toolchain-r/test' 'ubuntu-toolchain-r' 'test'\n", step.Command, StringComparison.Ordinal);
        Assert.Contains("__porthole_key 2 'https://apt.llvm.org/llvm-snapshot.gpg.key'\n__porthole_deb 2 'deb http://apt.llvm.org/xenial/ llvm-toolchain-xenial-6.0 main'\n", step.Command, StringComparison.Ordinal);
        Assert.Contains("__porthole_deb 3 'deb https://download.mono-project.com/repo/debian wheezy main'\n", step.Command, StringComparison.Ordinal);
        Assert.Contains("search=0x3FA7E0328081BFF6A14DA29AA6A19B38D3D831EF", step.Command, StringComparison.Ordinal);
        Assert.Contains("__porthole_ppa 4 'ppa:deadsnakes/ppa' 'deadsnakes' 'ppa'\n", step.Command, StringComparison.Ordinal);
        Assert.Contains("__porthole_deb 1 'deb http://apt.llvm.org/bionic/ llvm-toolchain-bionic main'", AptStep("language: shell", "addons:", "  apt:", "    sources: [llvm-toolchain-bionic]", "script: echo").Command, StringComparison.Ordinal);
    }

    [Fact]
    public void A_source_alias_porthole_does_not_know_is_an_error_naming_it_and_asking_for_the_source_itself()
    {
        var error = OnlyError(ReadTravis("language: shell", "addons:", "  apt:", "    sources:", "      - sourceline: \"ppa:a/b\"", "      - some-private-repo", "script: echo"), 6, 9, "'some-private-repo' is a Travis source alias Porthole does not know");

        Assert.Contains("{sourceline:", error.Message, StringComparison.Ordinal);
        Assert.Contains("key_url", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Written_sources_keep_their_key_and_a_source_map_needs_its_sourceline()
    {
        var step = AptStep("language: shell", "addons:", "  apt:", "    sources:", "      - sourceline: \"deb https://example.org/apt stable main\"", "        key_url: \"https://example.org/key.asc\"", "      - \"ppa:ondrej/php\"", "script: echo");
        Assert.Contains("__porthole_key 1 'https://example.org/key.asc'\n__porthole_deb 1 'deb https://example.org/apt stable main'\n", step.Command, StringComparison.Ordinal);
        Assert.Contains("__porthole_ppa 2 'ppa:ondrej/php' 'ondrej' 'php'\n", step.Command, StringComparison.Ordinal);

        OnlyError(ReadTravis("language: shell", "addons:", "  apt:", "    sources:", "      - key_url: \"https://example.org/key.asc\"", "script: echo"), 5, 9, "needs its sourceline");
        OnlyError(ReadTravis("language: shell", "addons:", "  apt:", "    sources:", "      - sourceline: \"ppa:a/b\"", "        name: b", "script: echo"), 6, 9, "'name' is not a source setting");
        OnlyError(ReadTravis("language: shell", "addons:", "  apt:", "    packges: [curl]", "script: echo"), 4, 5, "addons.apt.packges is not an apt setting");
    }

    [Fact]
    public void Service_versions_are_read_and_a_version_that_is_not_a_word_is_an_error()
    {
        var addons = Node("postgresql: \"9.6\"\nmariadb: 10.3\nchrome: stable\n");
        Assert.Equal(new Dictionary<string, string> { ["postgresql"] = "9.6", ["mariadb"] = "10.3" }, TravisAddons.Read(addons).ServiceVersions);
        Assert.Null(TravisAddons.Read(addons).Apt);

        OnlyError(ReadTravis("language: shell", "addons:", "  postgresql: [9.6]", "script: echo"), 3, 15, "addons.postgresql must be a version");
        OnlyError(ReadTravis("language: shell", "addons:", "  mariadb: \"10.3; rm -rf /\"", "script: echo"), 3, 12, "addons.mariadb must be a version");
    }

    [Fact]
    public void Addons_that_do_nothing_here_are_warned_about_at_their_key_and_an_unknown_addon_or_a_non_map_is_an_error()
    {
        var result = ReadTravis("language: shell", "addons:", "  chrome: stable", "  hosts: [db.local]", "  coverity_scan: {project: {name: x}}", "script: echo");

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Contains(result.Warnings, w => w.Line == 3 && w.Column == 3 && w.Message.StartsWith("addons.chrome has no effect here", StringComparison.Ordinal) && w.Message.Contains("before_install", StringComparison.Ordinal));
        Assert.Contains(result.Warnings, w => w.Line == 4 && w.Message.Contains("/etc/hosts", StringComparison.Ordinal));
        Assert.Contains(result.Warnings, w => w.Line == 5 && w.Message.StartsWith("addons.coverity_scan has no effect here", StringComparison.Ordinal));

        OnlyError(ReadTravis("language: shell", "addons:", "  teleport: true", "script: echo"), 3, 3, "addons.teleport is not an addon Travis has");
        OnlyError(ReadTravis("language: shell", "addons: [apt]", "script: echo"), 2, 9, "addons must be a map");
    }

    [Fact]
    public void Addons_of_an_include_entry_are_checked_where_they_are_written()
    {
        OnlyError(ReadTravis("language: shell", "script: echo", "jobs:", "  include:", "    - addons:", "        apt:", "          sources: [nope]"), 7, 21, "'nope' is a Travis source alias");
    }

    [Theory]
    [InlineData("godotengine__godot.yml")]
    [InlineData("rails__rails.yml")]
    [InlineData("symfony__symfony.yml")]
    [InlineData("composer__composer.yml")]
    [InlineData("square__okhttp.yml")]
    public void The_corpus_addons_read_without_errors(string file)
    {
        var result = ConfigReader.Read(TravisPath, File.ReadAllText(Path.Combine(CorpusFolder.Root, "travis", file)));

        Assert.DoesNotContain(result.Errors, error => error.Message.Contains("addons", StringComparison.Ordinal));
        if (result.Plan is { } plan)
        {
            Assert.Contains(plan.Workflows.SelectMany(w => w.Jobs).SelectMany(j => j.Steps), step => step.Name == "apt" && step.AsRoot);
        }
    }

    private static Node Node(string yaml)
    {
        var errors = new ErrorList(TravisPath);
        var node = YamlLoader.Load(yaml, errors);
        Assert.Equal(0, errors.Count);
        return node!;
    }

    private static string Bash(string script)
    {
        var start = new ProcessStartInfo("/bin/bash") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        process.StandardInput.Write(script);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, error);
        return output;
    }
}
