using static Porthole.Pipeline.Travis.Languages.LanguageBash;

namespace Porthole.Pipeline.Travis.Languages;

/// <summary>
/// PHP's setup and default phases (TB <c>script/php.rb</c>, a JVM script underneath): composer, which Travis's images
/// carry and official PHP images do not, no default install (TB has composer install commented out), and phpunit
/// found where composer put it.
/// </summary>
internal static class PhpPhases
{
    public static IReadOnlyList<string> Setup(TravisJobSettings settings) =>
    [
        .. JvmPhases.JdkSetup(settings),

        // TB runs composer self-update without asserting; a missing composer is fetched the same way, also without.
        Choose(("! command -v composer >/dev/null 2>&1", Lines(
            Echo("Installing composer"),
            "__porthole_bin=/usr/local/bin",
            "if [ ! -w \"$__porthole_bin\" ]; then __porthole_bin=\"$HOME/bin\"; mkdir -p \"$__porthole_bin\"; export PATH=\"$__porthole_bin:$PATH\"; fi",
            "php -r \"copy('https://getcomposer.org/installer', '/tmp/porthole-composer-setup.php');\" && php /tmp/porthole-composer-setup.php --quiet --install-dir=\"$__porthole_bin\" --filename=composer",
            "rm -f /tmp/porthole-composer-setup.php",
            "true"))),
        Announce("php --version", "composer --version"),
    ];

    public static IReadOnlyList<string> Install(TravisJobSettings settings) => [];

    public static IReadOnlyList<string> Script(TravisJobSettings settings) =>
    [
        Lines(
            "_phpunit_bin=$(jq -r '.config[\"bin-dir\"]' \"${TRAVIS_BUILD_DIR:-$PWD}/composer.json\" 2>/dev/null || php -r '$c = json_decode((string) @file_get_contents((getenv(\"TRAVIS_BUILD_DIR\") ?: getcwd()) . \"/composer.json\"), true); echo $c[\"config\"][\"bin-dir\"] ?? \"null\";' 2>/dev/null)/phpunit",
            Choose(
                ("[[ -n $COMPOSER_BIN_DIR && -x $COMPOSER_BIN_DIR/phpunit ]]", Run("$COMPOSER_BIN_DIR/phpunit", "\"$COMPOSER_BIN_DIR/phpunit\"")),
                ("[[ -n $_phpunit_bin && -x $_phpunit_bin ]]", Lines("echo \"$ $_phpunit_bin\"", "\"${_phpunit_bin}\"")),
                ("[[ -x ${TRAVIS_BUILD_DIR:-$PWD}/vendor/bin/phpunit ]]", Run("$TRAVIS_BUILD_DIR/vendor/bin/phpunit", "\"${TRAVIS_BUILD_DIR:-$PWD}/vendor/bin/phpunit\"")),
                (null, Run("phpunit")))),
    ];
}
