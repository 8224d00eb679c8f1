namespace Porthole.Contracts.Plans;

/// <summary>
/// The default images of a Travis job's language version and of its services (§B8, §B12, issue 13): the official images,
/// with Travis's version words mapped. The runner starts its own table from these and lets a runner or project
/// override them, so an answer of null comes with the reason, for the caller to name the setting that would serve it.
/// </summary>
public static class TravisImages
{
    /// <summary>The Ubuntu release of each Travis <c>dist</c>; focal is the default (TY <c>schema/def/root.rb</c>).</summary>
    private static readonly Dictionary<string, string> Ubuntu = new(StringComparer.OrdinalIgnoreCase)
    {
        ["precise"] = "12.04",
        ["trusty"] = "14.04",
        ["xenial"] = "16.04",
        ["bionic"] = "18.04",
        ["focal"] = "20.04",
        ["jammy"] = "22.04",
        ["noble"] = "24.04",
    };

    /// <summary>
    /// The official image for a language's version: ruby:&lt;v&gt;, node:&lt;v&gt;, python:&lt;v&gt;, golang:&lt;v&gt;,
    /// eclipse-temurin:&lt;v&gt;, php:&lt;v&gt;-cli, rust:&lt;v&gt;, gcc:&lt;v&gt;, mcr.microsoft.com/dotnet/sdk:&lt;v&gt;, mono:&lt;v&gt;,
    /// elixir:&lt;v&gt;, erlang:&lt;v&gt;, perl:&lt;v&gt;, …, with Travis's words mapped (node, stable, latest, lts/*, 1.11.x, 3.8-dev,
    /// pypy3, openjdk11, oraclejdk8, jruby-9.2, …). For generic (and its aliases shell, minimal, bash, sh) the
    /// <paramref name="dist"/> picks an Ubuntu image; other languages ignore it. Null, with
    /// <paramref name="reason"/>, when no official image serves the version (nightly builds, HHVM, macOS, …).
    /// </summary>
    /// <param name="language">travis-build's script name (ruby, node_js, …), or mono for a csharp job without dotnet.</param>
    /// <param name="version">The version as the job gives it; null for the image's newest.</param>
    public static string? ForLanguage(string language, string? version, string? dist, out string? reason)
    {
        var name = language.Trim().ToLowerInvariant();
        var value = string.IsNullOrWhiteSpace(version) ? null : version.Trim();
        var image = name switch
        {
            "ruby" => Ruby(value),
            "node_js" => Node(value),
            "python" => Python(value),
            "go" => Go(value),
            "java" or "scala" or "groovy" or "android" => Jdk(value),
            "clojure" => Clojure(value),
            "php" => Php(value),
            "rust" => Rust(value),
            "c" or "cpp" => Compiler(value),
            "csharp" => value is null or "none"
                ? Answer.None("a csharp job with mono: none and dotnet: none has no runtime to run in; set dotnet: or mono:")
                : Tagged("mcr.microsoft.com/dotnet/sdk", value, "dotnet"),
            "mono" => value is "alpha" or "beta" or "preview" or "weekly" or "nightly"
                ? Answer.None($"mono {value} builds have no official image; map mono {value} in the runner's image table")
                : Tagged("mono", value, "mono"),
            "elixir" => Tagged("elixir", value, "elixir"),
            "erlang" => value is not null && value.StartsWith('R')
                ? Answer.None($"Erlang/OTP {value} is older than any official erlang image (they start at OTP 17); set otp_release: to a newer release or map it in the runner's image table")
                : Tagged("erlang", value, "otp_release"),
            "perl" => Perl(value),
            "generic" or "shell" or "minimal" or "bash" or "sh" => Generic(dist),
            "objective-c" => Answer.None("objective-c jobs need macOS and Xcode, which no container image has; they run only where a runner serves os: osx"),
            "crystal" => Tagged("crystallang/crystal", Word(value, "stable", "latest") ? null : value, "crystal"),
            "dart" => Tagged("dart", value, "dart"),
            "haskell" => Tagged("haskell", value, "ghc"),
            "julia" => Tagged("julia", value, "julia"),
            "haxe" => Tagged("haxe", Word(value, "stable") ? null : value, "haxe"),
            "r" => Tagged("r-base", Word(value, "release") ? null : value, "r"),
            _ => Answer.None($"no official image is known for language {language}; map it in the runner's image table"),
        };
        reason = image.Reason;
        return image.Image;
    }

    /// <summary>
    /// A Travis service (§B12) as a sidecar the job reaches on localhost, as Travis's own are: postgresql (postgres),
    /// mysql, mariadb, redis (redis-server), memcached (memcache), mongodb, rabbitmq (rabbitmq-server), elasticsearch,
    /// cassandra, couchdb, neo4j (neo4j-server). Its image takes the version <paramref name="addonVersions"/> gives
    /// under the service's name (<c>addons.postgresql: "9.6"</c>, <c>addons.mariadb: "10.3"</c>; a mariadb version turns
    /// mysql into mariadb), and its environment lets the job in as on Travis: user postgres, or root, without a
    /// password. Null with a reason for a service that is unknown or is not a container (xvfb, docker).
    /// </summary>
    public static TravisService? ForService(string name, IReadOnlyDictionary<string, string> addonVersions, out string? reason)
    {
        var service = name.Trim().ToLowerInvariant() switch
        {
            "postgres" or "postgresql" => "postgresql",
            "redis" or "redis-server" => "redis",
            "memcache" or "memcached" => "memcached",
            "rabbitmq" or "rabbitmq-server" => "rabbitmq",
            "neo4j" or "neo4j-server" => "neo4j",
            "mysql" when addonVersions.ContainsKey("mariadb") => "mariadb",
            var other => other,
        };
        (string Image, string Version, int[] Ports, EnvironmentVariable[] Environment)? spec = service switch
        {
            // focal's PostgreSQL 13 (TB bash/travis_setup_postgresql.bash), trusting local connections as Travis's does.
            "postgresql" => ("postgres", "13", [5432], [new("POSTGRES_HOST_AUTH_METHOD", "trust")]),
            "mysql" => ("mysql", "8.0", [3306], [new("MYSQL_ALLOW_EMPTY_PASSWORD", "yes")]),
            "mariadb" => ("mariadb", "10.6", [3306], [new("MARIADB_ALLOW_EMPTY_ROOT_PASSWORD", "1"), new("MYSQL_ALLOW_EMPTY_PASSWORD", "yes")]),
            "redis" => ("redis", "7", [6379], []),
            "memcached" => ("memcached", "1", [11211], []),
            "mongodb" => ("mongo", "4.4", [27017], []),
            "rabbitmq" => ("rabbitmq", "3", [5672], []),
            "elasticsearch" => ("elasticsearch", "7.17.10", [9200, 9300],
                [new("discovery.type", "single-node"), new("xpack.security.enabled", "false"), new("ES_JAVA_OPTS", "-Xms512m -Xmx512m")]),
            "cassandra" => ("cassandra", "3.11", [9042], []),

            // 2.x still runs without an admin ("admin party"), as Travis's CouchDB did.
            "couchdb" => ("couchdb", "2.3", [5984], []),
            "neo4j" => ("neo4j", "3.5", [7474, 7687], [new("NEO4J_AUTH", "none")]),
            _ => null,
        };
        if (spec is not { } known)
        {
            reason = service switch
            {
                "xvfb" => "xvfb is a display server, not a container: install it (addons.apt: xvfb) and start it in before_script (Xvfb :99 & export DISPLAY=:99.0), or run the tests under xvfb-run",
                "docker" => "services: docker is the Docker engine, which a job gets from its runner's Docker setting, not from a sidecar image",
                _ => $"unknown service '{name}'; Travis's services are cassandra, couchdb, docker, elasticsearch, mariadb, memcached, mongodb, mysql, neo4j, postgresql, rabbitmq, redis and xvfb",
            };
            return null;
        }

        var tag = addonVersions.TryGetValue(service, out var given) && !string.IsNullOrWhiteSpace(given) ? given.Trim() : known.Version;
        if (!IsTag(tag))
        {
            reason = $"addons.{service}: '{tag}' is not a version an image can be tagged with";
            return null;
        }

        reason = null;
        return new TravisService(service, $"{known.Image}:{tag}", known.Environment, known.Ports);
    }

    private static Answer Ruby(string? version) => version switch
    {
        null or "default" => new("ruby:latest"),
        "ruby-head" or "head" or "jruby-head" => Answer.None($"{version} is a nightly build of Ruby, which has no official image; map rvm: {version} in the runner's image table"),
        "jruby" => new("jruby:latest"),
        "jruby-18mode" or "jruby-19mode" or "jruby-d18" or "jruby-d19" => new("jruby:1.7"),
        _ when version.StartsWith("jruby-", StringComparison.Ordinal) => Tagged("jruby", version["jruby-".Length..], "rvm"),
        _ when version.StartsWith("rbx", StringComparison.Ordinal) || version.StartsWith("ree", StringComparison.Ordinal) ||
               version.StartsWith("truffleruby", StringComparison.Ordinal) || version.StartsWith("mruby", StringComparison.Ordinal) || version == "system" =>
            Answer.None($"rvm: {version} has no official image; map it in the runner's image table"),
        _ => Tagged("ruby", WithoutPatchLevel(version.StartsWith("ruby-", StringComparison.Ordinal) ? version["ruby-".Length..] : version), "rvm"),
    };

    private static Answer Node(string? version)
    {
        var value = version?.ToLowerInvariant();
        switch (value)
        {
            case null or "node" or "stable" or "current" or "latest":
                return new("node:latest");
            case "lts/*" or "lts":
                return new("node:lts");
            case "0.1":
                return new("node:0.10");
            case "iojs":
                return new("iojs:latest");
            case "nightly" or "node/nightly" or "system" or "unstable":
                return Answer.None($"node_js: {version} has no official image; map it in the runner's image table");
        }

        if (value.StartsWith("lts/", StringComparison.Ordinal))
        {
            return Tagged("node", value["lts/".Length..], "node_js");
        }

        if (value.StartsWith("iojs-", StringComparison.Ordinal))
        {
            return Tagged("iojs", Trimmed(value["iojs-".Length..]), "node_js");
        }

        return Tagged("node", Trimmed(value), "node_js");

        // v18 → 18; 18.x → 18.
        static string Trimmed(string text)
        {
            text = text.StartsWith('v') ? text[1..] : text;
            return text.EndsWith(".x", StringComparison.Ordinal) ? text[..^2] : text;
        }
    }

    private static Answer Python(string? version)
    {
        if (version is null)
        {
            return new("python:latest");
        }

        if (version.StartsWith("pypy", StringComparison.OrdinalIgnoreCase))
        {
            // pypy and pypy2 are PyPy for Python 2; pypy3.6-7.3.1 names the language and the PyPy release.
            var rest = version[4..];
            return rest switch
            {
                "" or "2" => new("pypy:2"),
                "3" => new("pypy:3"),
                _ => Tagged("pypy", rest, "python"),
            };
        }

        if (version is "nightly" or "system")
        {
            return Answer.None($"python: {version} has no official image; map it in the runner's image table");
        }

        // 3.8-dev was the development build of 3.8, since released as 3.8.
        return Tagged("python", version.EndsWith("-dev", StringComparison.Ordinal) ? version[..^4] : version, "python");
    }

    private static Answer Go(string? version)
    {
        var value = version is { } v && v != "go1" && v.StartsWith("go", StringComparison.Ordinal) ? v[2..] : version;
        return value switch
        {
            null => new("golang:latest"),
            "stable" or "latest" or "1.x" or "go1" => new("golang:latest"),
            "master" or "tip" => Answer.None($"go: {value} is Go's development tree, which has no official image; map it in the runner's image table"),
            _ => Tagged("golang", value.EndsWith(".x", StringComparison.Ordinal) ? value[..^2] : value, "go"),
        };
    }

    /// <summary>A <c>jdk:</c> value (openjdk11, oraclejdk8, openjdk-17, semeru11, default) as an image of that JDK's major version.</summary>
    private static Answer Jdk(string? version)
    {
        if (version is null or "default")
        {
            // The default JDK of Travis's focal image, OpenJDK 11.
            return new("eclipse-temurin:11");
        }

        var vendor = new string(version.TakeWhile(char.IsAsciiLetter).ToArray());
        var rest = version[vendor.Length..].TrimStart('-');
        var major = rest.StartsWith("1.", StringComparison.Ordinal) ? rest[2..] : rest;
        major = new string(major.TakeWhile(char.IsAsciiDigit).ToArray());
        if (major.Length is 0 or > 3)
        {
            return Answer.None($"jdk: {version} is not a JDK release an official image has; map it in the runner's image table");
        }

        if (int.Parse(major, System.Globalization.CultureInfo.InvariantCulture) < 8)
        {
            return Answer.None($"jdk: {version} is older than any eclipse-temurin image (they start at 8); map it in the runner's image table");
        }

        return vendor.StartsWith("semeru", StringComparison.OrdinalIgnoreCase)
            ? new($"ibm-semeru-runtimes:open-{major}-jdk")
            : new($"eclipse-temurin:{major}");
    }

    /// <summary>The clojure image with Leiningen on the job's JDK.</summary>
    private static Answer Clojure(string? jdk) =>
        Jdk(jdk) is { Image: { } image } && image.StartsWith("eclipse-temurin:", StringComparison.Ordinal)
            ? new("clojure:temurin-" + image["eclipse-temurin:".Length..] + "-lein")
            : Answer.None($"jdk: {jdk} has no clojure image; map it in the runner's image table");

    private static Answer Php(string? version) => version switch
    {
        null => new("php:cli"),
        "nightly" or "master" => Answer.None($"php: {version} is PHP's development build, which has no official image; map it in the runner's image table"),
        _ when version.StartsWith("hhvm", StringComparison.Ordinal) => Answer.None($"php: {version} is HHVM, which has no official image; map it in the runner's image table"),
        _ when version.EndsWith("snapshot", StringComparison.Ordinal) => Tagged("php", version[..^"snapshot".Length], "php", "-cli"),
        _ => Tagged("php", version, "php", "-cli"),
    };

    /// <summary>beta and nightly run on the newest image, whose rustup the setup uses to add them (as Travis's rustup installs them).</summary>
    private static Answer Rust(string? version) => version switch
    {
        null or "stable" or "beta" or "nightly" => new("rust:latest"),
        _ when version.StartsWith("nightly-", StringComparison.Ordinal) || version.StartsWith("beta-", StringComparison.Ordinal) => new("rust:latest"),
        _ => Tagged("rust", version, "rust"),
    };

    /// <summary>gcc:&lt;major&gt; for gcc-N and g++-N; clang runs on the gcc image too, whose setup installs it (Travis's images carry both).</summary>
    private static Answer Compiler(string? compiler)
    {
        var value = compiler?.ToLowerInvariant();
        if (value is null or "gcc" or "g++" or "cc" or "c++" || value.StartsWith("clang", StringComparison.Ordinal))
        {
            return new("gcc:latest");
        }

        if (value.StartsWith("gcc-", StringComparison.Ordinal) || value.StartsWith("g++-", StringComparison.Ordinal))
        {
            return Tagged("gcc", value[4..], "compiler");
        }

        return Answer.None($"compiler: {compiler} has no official image; map it in the runner's image table");
    }

    /// <summary>perl:&lt;v&gt;; perlbrew's -thr builds are the -threaded images, its other suffixes the plain ones.</summary>
    private static Answer Perl(string? version)
    {
        if (version is "blead" or "dev")
        {
            return Answer.None($"perl: {version} is Perl's development build, which has no official image; map it in the runner's image table");
        }

        var dash = version?.IndexOf('-', StringComparison.Ordinal) ?? -1;
        return dash < 0
            ? Tagged("perl", version, "perl")
            : Tagged("perl", version![..dash], "perl", version[dash..].Contains("thr", StringComparison.Ordinal) ? "-threaded" : "");
    }

    private static Answer Generic(string? dist) =>
        dist is null ? new("ubuntu:20.04")
        : Ubuntu.TryGetValue(dist.Trim(), out var release) ? new("ubuntu:" + release)
        : Answer.None($"dist: {dist} is not an Ubuntu release Travis runs (precise, trusty, xenial, bionic, focal, jammy, noble); map it in the runner's image table");

    /// <summary><c>image:version+suffix</c>, or <c>image:latest</c> without a version; none when the version cannot be a tag.</summary>
    private static Answer Tagged(string image, string? version, string key, string suffix = "")
    {
        if (version is null)
        {
            // php:cli is the newest PHP's cli image, as node:latest is the newest node.
            return new($"{image}:{(suffix.Length == 0 ? "latest" : suffix.TrimStart('-'))}");
        }

        var tag = version + suffix;
        return IsTag(tag) ? new($"{image}:{tag}") : Answer.None($"{key}: '{version}' is not a version an image can be tagged with");
    }

    private static bool Word(string? value, params string[] words) => value is null || words.Contains(value, StringComparer.OrdinalIgnoreCase);

    /// <summary>rvm's patch levels (2.0.0-p648) are not in the official tags.</summary>
    private static string WithoutPatchLevel(string version)
    {
        var at = version.IndexOf("-p", StringComparison.Ordinal);
        return at > 0 && version[(at + 2)..].All(char.IsAsciiDigit) ? version[..at] : version;
    }

    /// <summary>A Docker tag: letters, digits, <c>_</c>, <c>.</c>, <c>-</c>; not starting with <c>.</c> or <c>-</c>; at most 128.</summary>
    private static bool IsTag(string tag) =>
        tag.Length is > 0 and <= 128 && tag[0] is not ('.' or '-') && tag.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-');

    private readonly record struct Answer(string? Image, string? Reason = null)
    {
        public static Answer None(string reason) => new(null, reason);
    }
}

/// <summary>A Travis service as a sidecar container: its image, the environment it starts with, and the ports the job reaches on localhost.</summary>
public sealed record TravisService(string Name, string Image, IReadOnlyList<EnvironmentVariable> Environment, IReadOnlyList<int> Ports);
