using static Porthole.Pipeline.Travis.Languages.LanguageBash;

namespace Porthole.Pipeline.Travis.Languages;

/// <summary>
/// Rust's setup and default script (TB <c>script/rust.rb</c>): rustup with the job's toolchain, then
/// <c>cargo build --verbose</c> and <c>cargo test --verbose</c>. An image with Rust already is used as it is when its
/// toolchain is the one asked for; beta, nightly or another version is added with its rustup.
/// </summary>
internal static class RustPhases
{
    public static IReadOnlyList<string> Setup(TravisJobSettings settings)
    {
        var items = new List<string>
        {
            Choose(
                ("! command -v cargo >/dev/null 2>&1", Lines(
                    "printf '\\033[33;1mInstalling Rust\\033[0m\\n'",
                    Run("curl -sSf https://sh.rustup.rs | sh -s -- --default-toolchain=$TRAVIS_RUST_VERSION --profile=minimal -y"),
                    "__porthole_status=$?",
                    Run("export PATH=\"${HOME}/.cargo/bin:$PATH\""),
                    "(exit \"$__porthole_status\")")),
                ("[ \"$TRAVIS_RUST_VERSION\" != stable ] && command -v rustup >/dev/null 2>&1 && ! rustc --version 2>/dev/null | grep -qF -- \"$TRAVIS_RUST_VERSION\"",
                    Run("rustup toolchain install \"$TRAVIS_RUST_VERSION\" --profile=minimal && rustup default \"$TRAVIS_RUST_VERSION\""))),
            Announce("rustc --version", "rustup --version", "cargo --version"),
        };
        return items;
    }

    public static IReadOnlyList<string> Install(TravisJobSettings settings) => [];

    public static IReadOnlyList<string> Script(TravisJobSettings settings) => [Run("cargo build --verbose"), Run("cargo test --verbose")];
}
