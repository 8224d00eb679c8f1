using Porthole.Pipeline.Travis.Languages;
using static Porthole.Pipeline.Tests.Travis.Languages.LanguageJob;

namespace Porthole.Pipeline.Tests.Travis.Languages;

/// <summary>Python's and the JVM languages' default install and script (§B8; TB script/python.rb, shared/jvm.rb, scala.rb), run in bash against checkouts of each layout, with fake tools recording what they were asked to do.</summary>
public sealed class PythonJvmDefaultPhaseTests
{
    [Theory]
    [InlineData("Requirements.txt")]
    [InlineData("requirements.txt")]
    public void Python_installs_the_requirements_file(string file)
    {
        var (checkout, language, settings) = Job("python");
        using (checkout)
        {
            checkout.Tool("pip").File(file, "six\n");

            Assert.Equal(0, Install(checkout, language, settings).ExitCode);
            Assert.Equal([$"pip install -r {file}"], checkout.Logged);
        }
    }

    [Fact]
    public void Python_prefers_Requirements_txt_when_both_are_there()
    {
        var (checkout, language, settings) = Job("python");
        using (checkout)
        {
            checkout.Tool("pip").File("Requirements.txt").File("requirements.txt");

            Install(checkout, language, settings);

            // Only on a case-sensitive file system are these two files.
            Assert.Equal(["pip install -r Requirements.txt"], checkout.Logged);
        }
    }

    [Fact]
    public void Python_without_requirements_says_how_to_install_and_succeeds()
    {
        var (checkout, language, settings) = Job("python");
        using (checkout)
        {
            checkout.Tool("pip");

            var (exitCode, output) = Install(checkout, language, settings);

            Assert.Equal(0, exitCode);
            Assert.Empty(checkout.Logged);
            Assert.Contains("\nCould not locate requirements.txt. Override the install: key in your .travis.yml to install dependencies.\n", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Python_without_a_script_fails_with_travis_message()
    {
        var (checkout, language, settings) = Job("python");
        using (checkout)
        {
            var (exitCode, output) = Script(checkout, language, settings);

            Assert.Equal(1, exitCode);
            Assert.Contains("\nPlease override the script: key in your .travis.yml to run tests.\n", output, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("gradlew", "./gradlew assemble", "./gradlew check")]
    [InlineData("build.gradle", "gradle assemble", "gradle check")]
    [InlineData("mvnw", "./mvnw install -DskipTests=true -Dmaven.javadoc.skip=true -B -V", "./mvnw test -B")]
    [InlineData("pom.xml", "mvn install -DskipTests=true -Dmaven.javadoc.skip=true -B -V", "mvn test -B")]
    public void Java_picks_gradle_or_maven_by_the_wrapper_or_build_file_found(string file, string install, string script)
    {
        var (checkout, language, settings) = Job("java");
        using (checkout)
        {
            checkout.Tool("gradle").Tool("mvn").Tool("ant").File("build.gradle").File("pom.xml");
            if (file is "gradlew" or "mvnw")
            {
                checkout.Executable(file);
            }

            if (file is "mvnw" or "pom.xml")
            {
                File.Delete(Path.Combine(checkout.Checkout, "build.gradle"));
            }

            Install(checkout, language, settings);
            Script(checkout, language, settings);

            Assert.Equal([install, script], checkout.Logged);
        }
    }

    [Fact]
    public void Java_without_a_build_file_installs_nothing_and_runs_ant_test()
    {
        var (checkout, language, settings) = Job("jvm");
        using (checkout)
        {
            checkout.Tool("ant");

            Assert.Equal(0, Install(checkout, language, settings).ExitCode);
            Script(checkout, language, settings);

            Assert.Equal(["ant test"], checkout.Logged);
        }
    }

    [Fact]
    public void Scala_with_an_sbt_project_installs_nothing_and_tests_with_sbt_its_args_and_version()
    {
        var (checkout, language, settings) = Job("scala", "scala: [2.11.7, 2.10.5]", "sbt_args: -J-Xmx2G");
        using (checkout)
        {
            checkout.Tool("sbt").Tool("mvn").File("build.sbt").File("pom.xml");

            Install(checkout, language, settings);
            Script(checkout, language, settings);

            Assert.Equal(["sbt -J-Xmx2G ++2.11.7 test"], checkout.Logged);
        }
    }

    [Fact]
    public void Scala_without_sbt_builds_as_java()
    {
        var (checkout, language, settings) = Job("scala");
        using (checkout)
        {
            checkout.Tool("mvn").File("pom.xml");

            Install(checkout, language, settings);
            Script(checkout, language, settings);

            Assert.Equal(["mvn install -DskipTests=true -Dmaven.javadoc.skip=true -B -V", "mvn test -B"], checkout.Logged);
        }
    }
}
