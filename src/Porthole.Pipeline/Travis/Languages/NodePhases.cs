using static Porthole.Pipeline.Travis.Languages.LanguageBash;

namespace Porthole.Pipeline.Travis.Languages;

/// <summary>
/// Node.js's setup and default phases (TB <c>script/node_js.rb</c>): <c>./node_modules/.bin</c> on PATH, yarn when the
/// project is locked with it, then <c>yarn --frozen-lockfile</c>, <c>npm ci</c> or <c>npm install</c> and
/// <c>yarn test</c>, <c>npm test</c> or <c>make test</c>, each chosen at run time from the checkout's files and the
/// node, npm and yarn versions found. The runtime is the job's image, so nvm is not run; an <c>.nvmrc</c> nvm would have
/// followed is pointed out instead.
/// </summary>
internal static class NodePhases
{
    /// <summary>The node version yarn needs (TB <c>YARN_REQUIRED_NODE_VERSION</c>), as a test that it is not met.</summary>
    private const string YarnNotSupported = "[[ $(travis_vers2int \"$(node --version 2>/dev/null | tr -d v)\") -lt $(travis_vers2int 4) ]]";

    public static IReadOnlyList<string> Setup(TravisJobSettings settings)
    {
        var items = new List<string>();
        if (!settings.VersionGiven)
        {
            // nvm's default: .nvmrc, else 0.10 (TB node_js/manager/nvm.rb#use_default), exported as the version.
            items.Add(Choose(
                ("[ -f .nvmrc ]", Lines(
                    Echo("Using nodejs version from .nvmrc"),
                    "export TRAVIS_NODE_VERSION=\"$(< .nvmrc)\"",
                    "printf 'This job runs the Node.js of its image (%s), not %s from .nvmrc: set node_js: in .travis.yml to pick another\\n' \"$(node --version 2>/dev/null)\" \"$TRAVIS_NODE_VERSION\"")),
                (null, Export("TRAVIS_NODE_VERSION", settings.Version ?? "0.10"))));
        }

        items.Add("case \":$PATH:\" in *:./node_modules/.bin:*) ;; *) export PATH=\"./node_modules/.bin:$PATH\" ;; esac");
        items.Add("npm config set progress false >/dev/null 2>&1 || true");
        if (settings.Version is { } version && (version.StartsWith("0.6", StringComparison.Ordinal) || version.StartsWith("0.8", StringComparison.Ordinal) || version.StartsWith("0.9", StringComparison.Ordinal)))
        {
            items.Add(Lines(Run("echo \"### Disabling strict SSL ###\""), Run("npm conf set strict-ssl false")));
        }

        items.Add(Lines(
            Vers2Int,
            Choose(("[ -f yarn.lock ]", Choose(
                (YarnNotSupported, "printf '\\033[31;1mNode.js version %s does not meet requirement for yarn. Please use Node.js 4 or later.\\033[0m\\n' \"$(node --version 2>/dev/null)\""),
                ("[ -z \"$(command -v yarn)\" ]", Lines(Echo("Installing yarn"), Run("npm install -g yarn"))))))));
        items.Add(Lines(
            Announce("node --version", "npm --version"),
            Choose(("[ -f yarn.lock ]", Run("yarn --version") + "\ntrue"))));
        return items;
    }

    public static IReadOnlyList<string> Install(TravisJobSettings settings) =>
    [
        Lines(
            Vers2Int,
            Choose(("[ -f package.json ]", Choose(
                ("[ -f yarn.lock ]", Choose(
                    (YarnNotSupported, NpmInstall(settings)),
                    ("[[ $(travis_vers2int \"$(yarn -v)\") -ge $(travis_vers2int 0.19.0) ]]", Run("yarn --frozen-lockfile", retry: true)),
                    (null, Run("yarn", retry: true)))),
                (null, NpmInstall(settings)))))),
    ];

    public static IReadOnlyList<string> Script(TravisJobSettings settings) =>
    [
        Lines(
            Vers2Int,
            Choose(
                ("[ -f package.json ]", Choose(
                    ("[ -f yarn.lock ]", Choose((YarnNotSupported, Run("npm test")), (null, Run("yarn test")))),
                    (null, Run("npm test")))),
                (null, Run("make test")))),
    ];

    /// <summary><c>npm ci</c> when npm ≥ 5.8 and a lockfile is there, else <c>npm install</c>, with <c>npm_args</c> (TB <c>node_js.rb#npm_install</c>).</summary>
    private static string NpmInstall(TravisJobSettings settings)
    {
        var args = string.IsNullOrWhiteSpace(settings.NpmArgs) ? "" : " " + settings.NpmArgs.Trim();
        return Choose(
            ("[[ $(travis_vers2int \"$(npm -v)\") -ge $(travis_vers2int 5.8.0) && ( -f npm-shrinkwrap.json || -f package-lock.json ) ]]", Run("npm ci" + args, retry: true)),
            (null, Run("npm install" + args, retry: true)));
    }
}
