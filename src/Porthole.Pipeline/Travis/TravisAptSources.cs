using System.Text.RegularExpressions;

namespace Porthole.Pipeline.Travis;

/// <summary>
/// One apt source of <c>addons.apt.sources</c>: a <c>deb …</c> line or a Launchpad <c>ppa:owner/name</c>, with the key
/// that signs it, fetched from <see cref="KeyUrl"/> or by <see cref="KeyFingerprint"/> from keyserver.ubuntu.com (a
/// PPA's key is looked up on Launchpad at run time).
/// </summary>
internal sealed record AptSource(string Line, string? KeyUrl, string? KeyFingerprint = null)
{
    public bool IsPpa => Line.StartsWith("ppa:", StringComparison.Ordinal);
}

/// <summary>
/// Porthole's own table of the Travis source aliases configs commonly use (the names of travis-ci/apt-source-safelist,
/// written out here, not vendored): each alias is the source Travis meant by it. An alias not in the table is an error
/// that asks for the source itself (<c>{sourceline, key_url}</c>).
/// </summary>
internal static partial class TravisAptSources
{
    private const string LlvmKey = "https://apt.llvm.org/llvm-snapshot.gpg.key";

    /// <summary>The Mono project's repository key (download.mono-project.com's instructions fetch it by this fingerprint).</summary>
    private const string MonoFingerprint = "3FA7E0328081BFF6A14DA29AA6A19B38D3D831EF";

    /// <summary>CRAN's Ubuntu repository key (Michael Rutter's), by fingerprint.</summary>
    private const string CranFingerprint = "E298A3A825C0D65DFD57CBB651716619E084DAB9";

    private const string DockerKey = "https://download.docker.com/linux/ubuntu/gpg";

    private static readonly Dictionary<string, AptSource> Aliases = new(StringComparer.Ordinal)
    {
        ["ubuntu-toolchain-r-test"] = new("ppa:ubuntu-toolchain-r/test", null),
        ["deadsnakes"] = new("ppa:deadsnakes/ppa", null),
        ["git-core"] = new("ppa:git-core/ppa", null),
        ["hvr-ghc"] = new("ppa:hvr/ghc", null),
        ["openjdk-r-java"] = new("ppa:openjdk-r/ppa", null),
        ["pypy"] = new("ppa:pypy/ppa", null),
        ["boost-latest"] = new("ppa:boost-latest/ppa", null),
        ["kalakris-cmake"] = new("ppa:kalakris/cmake", null),
        ["couchdb"] = new("ppa:couchdb/stable", null),
        ["george-edison55-precise-backports"] = new("ppa:george-edison55/precise-backports", null),
        ["mono"] = new("deb https://download.mono-project.com/repo/debian wheezy main", null, MonoFingerprint),
        ["mono-alpha"] = new("deb https://download.mono-project.com/repo/debian alpha main", null, MonoFingerprint),
        ["mono-beta"] = new("deb https://download.mono-project.com/repo/debian beta main", null, MonoFingerprint),
        ["mono-nightly"] = new("deb https://download.mono-project.com/repo/debian nightly main", null, MonoFingerprint),
        ["google-chrome"] = new("deb [arch=amd64] https://dl.google.com/linux/chrome/deb/ stable main", "https://dl.google.com/linux/linux_signing_key.pub"),
        ["docker-trusty"] = new("deb [arch=amd64] https://download.docker.com/linux/ubuntu trusty stable", DockerKey),
        ["docker-xenial"] = new("deb [arch=amd64] https://download.docker.com/linux/ubuntu xenial stable", DockerKey),
        ["docker-bionic"] = new("deb [arch=amd64] https://download.docker.com/linux/ubuntu bionic stable", DockerKey),
        ["r-packages-trusty"] = new("deb https://cloud.r-project.org/bin/linux/ubuntu trusty/", null, CranFingerprint),
        ["r-packages-xenial"] = new("deb https://cloud.r-project.org/bin/linux/ubuntu xenial/", null, CranFingerprint),
        ["r-packages-bionic"] = new("deb https://cloud.r-project.org/bin/linux/ubuntu bionic-cran35/", null, CranFingerprint),
        ["mongodb-4.0-xenial"] = new("deb [arch=amd64] https://repo.mongodb.org/apt/ubuntu xenial/mongodb-org/4.0 multiverse", "https://www.mongodb.org/static/pgp/server-4.0.asc"),
        ["mongodb-4.0-bionic"] = new("deb [arch=amd64] https://repo.mongodb.org/apt/ubuntu bionic/mongodb-org/4.0 multiverse", "https://www.mongodb.org/static/pgp/server-4.0.asc"),
    };

    /// <summary>The source an alias stands for; null when Porthole does not know the alias.</summary>
    public static AptSource? Find(string alias)
    {
        if (Aliases.TryGetValue(alias, out var source))
        {
            return source;
        }

        // llvm-toolchain-<dist>[-<version>]: apt.llvm.org's repository of that release (and version), signed by its key.
        var llvm = LlvmAlias().Match(alias);
        return llvm.Success
            ? new AptSource($"deb http://apt.llvm.org/{llvm.Groups["dist"].Value}/ {alias} main", LlvmKey)
            : null;
    }

    [GeneratedRegex(@"^llvm-toolchain-(?<dist>precise|trusty|xenial|bionic|focal|jammy|noble|buster|bullseye|bookworm|trixie)(-[0-9]+(\.[0-9]+)?)?\z", RegexOptions.CultureInvariant)]
    private static partial Regex LlvmAlias();
}
