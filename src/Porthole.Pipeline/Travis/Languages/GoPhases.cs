using static Porthole.Pipeline.Travis.Languages.LanguageBash;

namespace Porthole.Pipeline.Travis.Languages;

/// <summary>
/// Go's setup and default phases (TB <c>script/go.rb</c>, <c>bash/travis_export_go.bash</c>, <c>travis_setup_go.bash</c>,
/// <c>travis_install_go_dependencies.bash</c>, <c>travis_script_go.bash</c>): GOPATH with the checkout linked at its import
/// path, then Godeps, <c>go get … -t ./...</c> unless there is a Makefile, and <c>make</c> or <c>go test ./...</c>.
/// </summary>
internal static class GoPhases
{
    public static IReadOnlyList<string> Setup(TravisJobSettings settings)
    {
        var importPath = settings.GoImportPath is { } path ? ShellQuote.Single(path) : "\"github.com/$TRAVIS_REPO_SLUG\"";
        return
        [
            Lines(
                Export("TRAVIS_GO_VERSION", settings.Version ?? "1.11.x"),

                // 1.11.x, stable and master name a version gimme resolves (TB go.rb#normalized_go_version): here, the image's go.
                "case \"$TRAVIS_GO_VERSION\" in *.x|stable|master)",
                "  if command -v go >/dev/null 2>&1; then read -r _ _ __porthole_go _ <<<\"$(go version)\"; export TRAVIS_GO_VERSION=\"${__porthole_go#go}\"; fi ;;",
                "esac",
                $"export TRAVIS_GO_IMPORT_PATH={importPath}",
                "export GIMME_GO_VERSION=\"$TRAVIS_GO_VERSION\"",
                ": \"${GOMAXPROCS:=$(nproc 2>/dev/null || echo 2)}\"",
                "export GOMAXPROCS",
                ": \"${GO111MODULE:=auto}\"",
                "export GO111MODULE"),
            Lines(
                Run("export GOPATH=\"${GOPATH:-$HOME/gopath}\""),
                Run("export PATH=\"$GOPATH/bin:$PATH\""),
                "mkdir -p \"$(dirname \"$GOPATH/src/$TRAVIS_GO_IMPORT_PATH\")\"",
                "if [ ! -e \"$GOPATH/src/$TRAVIS_GO_IMPORT_PATH\" ]; then ln -s \"${TRAVIS_BUILD_DIR:-$PWD}\" \"$GOPATH/src/$TRAVIS_GO_IMPORT_PATH\"; fi"),
            Announce("go version", "go env"),
        ];
    }

    public static IReadOnlyList<string> Install(TravisJobSettings settings)
    {
        var args = settings.GobuildArgs.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        if (!args.Contains("-t"))
        {
            args.Add("-t");
        }

        return
        [
            Choose(("[ -f \"${TRAVIS_BUILD_DIR:-.}/Godeps/Godeps.json\" ]", Lines(
                Run("export GOPATH=\"${TRAVIS_BUILD_DIR:-$PWD}/Godeps/_workspace:$GOPATH\""),
                Run("export PATH=\"${TRAVIS_BUILD_DIR:-$PWD}/Godeps/_workspace/bin:$PATH\""),
                Choose(("[ ! -d \"${TRAVIS_BUILD_DIR:-.}/Godeps/_workspace/src\" ]",
                    Choose(("! command -v godep >/dev/null 2>&1", Run("go get github.com/tools/godep", retry: true))) + " && {\n" + Run("godep restore", retry: true) + "\n}"))))),
            Choose(
                (Makefiles, Echo("Makefile detected")),
                (null, Run($"go get {string.Join(' ', args)} ./...", retry: true))),
        ];
    }

    public static IReadOnlyList<string> Script(TravisJobSettings settings) =>
        [Choose((Makefiles, Run("make")), (null, Run($"go test {settings.GobuildArgs} ./...".Replace("  ", " ", StringComparison.Ordinal))))];

    /// <summary>travis_has_makefile: the Makefiles of the build folder.</summary>
    private const string Makefiles =
        "[ -f \"${TRAVIS_BUILD_DIR:-.}/GNUmakefile\" ] || [ -f \"${TRAVIS_BUILD_DIR:-.}/makefile\" ] || [ -f \"${TRAVIS_BUILD_DIR:-.}/Makefile\" ] || [ -f \"${TRAVIS_BUILD_DIR:-.}/BSDmakefile\" ]";
}
