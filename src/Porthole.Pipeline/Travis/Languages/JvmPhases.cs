using static Porthole.Pipeline.Travis.Languages.LanguageBash;

namespace Porthole.Pipeline.Travis.Languages;

/// <summary>
/// The JVM languages' setup and default phases (TB <c>script/shared/jvm.rb</c>, <c>shared/jdk.rb</c>, <c>pure_java.rb</c>,
/// <c>groovy.rb</c>, <c>scala.rb</c>, <c>clojure.rb</c>): Gradle or Maven picked by the wrapper or build file found, else
/// <c>ant test</c>; for Scala, sbt when the checkout is an sbt project.
/// </summary>
internal static class JvmPhases
{
    /// <summary>sbt-extras, the sbt launcher travis-build installs (TB <c>scala.rb</c> SBT_URL).</summary>
    private const string SbtUrl = "https://raw.githubusercontent.com/paulp/sbt-extras/4d558c88ae6ae240e7a5eedc0cf33cc9e7bd0e58/sbt";

    private const string SbtProject = "[ -d project ] || [ -f build.sbt ]";

    /// <summary>What every script that includes TB's <c>Jdk</c> sets up: a deprecated JDK stops the job; Gradle gets a dumb terminal.</summary>
    public static IEnumerable<string> JdkSetup(TravisJobSettings settings)
    {
        if (settings.Jdk == "oraclejdk10")
        {
            yield return Fail("oraclejdk10 is deprecated. See https://www.oracle.com/technetwork/java/javase/eol-135779.html for more details. Consider using openjdk10 instead.");
        }

        yield return Choose(("[ -f build.gradle ] || [ -f build.gradle.kts ]", Run("export TERM=dumb")));
    }

    public static IReadOnlyList<string> Setup(TravisJobSettings settings) =>
    [
        .. JdkSetup(settings),
        "find \"$HOME/.ivy2\" -name 'ivydata-*.properties' -delete 2>/dev/null; find \"$HOME/.sbt\" -name '*.lock' -delete 2>/dev/null; true",
        Announce("java -Xmx32m -version", "javac -J-Xmx32m -version"),
    ];

    public static IReadOnlyList<string> Install(TravisJobSettings settings) => [JavaInstall];

    public static IReadOnlyList<string> Script(TravisJobSettings settings) => [JavaScript];

    public static IReadOnlyList<string> ScalaSetup(TravisJobSettings settings) =>
    [
        .. Setup(settings),
        Choose((SbtProject, Lines(
            Choose(("! command -v sbt >/dev/null 2>&1", Lines(
                "printf '\\033[32;1mUpdating sbt\\033[0m\\n'",
                "__porthole_sbt=/usr/local/bin/sbt",
                "if [ ! -w /usr/local/bin ]; then mkdir -p \"$HOME/bin\" && __porthole_sbt=\"$HOME/bin/sbt\" && export PATH=\"$HOME/bin:$PATH\"; fi",
                $"{{ curl -sfL -o \"$__porthole_sbt\" {SbtUrl} || wget -q -O \"$__porthole_sbt\" {SbtUrl}; }} && chmod +x \"$__porthole_sbt\""))),
            "__porthole_status=$?",
            Choose(("[ -f /etc/sbt/jvmopts ]", Run("export JVM_OPTS=@/etc/sbt/jvmopts"))),
            Choose(("[ -f /etc/sbt/sbtopts ]", Run("export SBT_OPTS=@/etc/sbt/sbtopts"))),
            "(exit \"$__porthole_status\")"))),
        Echo($"Using Scala {settings.Version}"),
    ];

    public static IReadOnlyList<string> ScalaInstall(TravisJobSettings settings) =>
        [Choose(("[ ! -d project ] && [ ! -f build.sbt ]", JavaInstall))];

    public static IReadOnlyList<string> ScalaScript(TravisJobSettings settings)
    {
        var args = string.IsNullOrWhiteSpace(settings.SbtArgs) ? "" : " " + settings.SbtArgs.Trim();
        return [Choose((SbtProject, Run($"sbt{args} ++{settings.Version} test")), (null, JavaScript))];
    }

    /// <summary>Leiningen's name: <c>lein</c> for a 2.x version given as <c>lein:</c>, else the value as a command (TB <c>clojure.rb#lein</c>).</summary>
    public static IReadOnlyList<string> ClojureInstall(TravisJobSettings settings) => [Run($"{Lein(settings)} deps", retry: true)];

    public static IReadOnlyList<string> ClojureScript(TravisJobSettings settings) => [Run($"{Lein(settings)} test")];

    private static string Lein(TravisJobSettings settings)
    {
        var lein = settings.Lein ?? "lein";
        var isVersion = lein.Length > 0 && lein[0] is >= '2' and <= '9' && lein.All(c => char.IsAsciiDigit(c) || c == '.');
        return isVersion ? "lein" : lein;
    }

    private static string JavaInstall => Choose(
        ("[ -f gradlew ]", Run("./gradlew assemble", retry: true)),
        ("[ -f build.gradle ]", Run("gradle assemble", retry: true)),
        ("[ -f mvnw ]", Run("./mvnw install -DskipTests=true -Dmaven.javadoc.skip=true -B -V", retry: true)),
        ("[ -f pom.xml ]", Run("mvn install -DskipTests=true -Dmaven.javadoc.skip=true -B -V", retry: true)));

    private static string JavaScript => Choose(
        ("[ -f gradlew ]", Run("./gradlew check")),
        ("[ -f build.gradle ]", Run("gradle check")),
        ("[ -f mvnw ]", Run("./mvnw test -B")),
        ("[ -f pom.xml ]", Run("mvn test -B")),
        (null, Run("ant test")));
}
