using System.Globalization;
using System.Text;

namespace Porthole.Pipeline.Travis;

/// <summary>
/// The bash script of the apt step, run as root in the job's container before before_install (§B0, §B12): it adds each
/// source (a <c>deb</c> line to <c>/etc/apt/sources.list.d/porthole-N.list</c> with its key in
/// <c>/etc/apt/trusted.gpg.d</c>; a PPA through <c>add-apt-repository</c> when the image has it, else as Launchpad's
/// <c>deb</c> line for the image's release with its key fetched by fingerprint from keyserver.ubuntu.com), runs
/// <c>apt-get update</c> and installs the packages as Travis does. Every package and line is a single-quoted word; the
/// first failure stops the step (and the job, errored, as a failing before_install does), saying what failed.
/// </summary>
internal static class TravisAptScript
{
    private const string Functions = """
        __porthole_stop() {
          printf '\n\033[31;1m%s\033[0m\n\nYour build has been stopped.\n' "$1"
          exit 1
        }

        __porthole_try() {
          local __porthole_attempt=1
          while :; do
            "$@" && return 0
            [ "$__porthole_attempt" -lt "$__porthole_attempts" ] || return 1
            __porthole_attempt=$((__porthole_attempt + 1))
            printf '\n\033[33;1mThe command "%s" failed. Retrying, %s of %s.\033[0m\n\n' "$*" "$__porthole_attempt" "$__porthole_attempts"
            sleep 1
          done
        }

        __porthole_fetch() {
          if command -v curl >/dev/null 2>&1; then
            curl -fsSL --retry 3 -o "$2" "$1"
          elif command -v wget >/dev/null 2>&1; then
            wget -q -O "$2" "$1"
          else
            __porthole_stop "addons.apt needs curl or wget in the job's image to fetch $1; the image has neither: install one in the image, or give the source without a key (deb [trusted=yes] …)"
          fi
        }

        __porthole_key() {
          local __porthole_file="/etc/apt/trusted.gpg.d/porthole-$1"
          printf '$ fetch the key %s\n' "$2"
          __porthole_fetch "$2" "$__porthole_file.tmp" || __porthole_stop "The key $2 could not be fetched."
          if grep -q -- '-----BEGIN PGP PUBLIC KEY BLOCK-----' "$__porthole_file.tmp"; then
            mv -f "$__porthole_file.tmp" "$__porthole_file.asc"
          else
            mv -f "$__porthole_file.tmp" "$__porthole_file.gpg"
          fi
          chmod 644 "$__porthole_file".*
        }

        __porthole_deb() {
          printf '$ echo %s > /etc/apt/sources.list.d/porthole-%s.list\n' "$2" "$1"
          printf '%s\n' "$2" > "/etc/apt/sources.list.d/porthole-$1.list" || __porthole_stop "The source $2 could not be written."
        }

        __porthole_ppa() {
          if [ "$__porthole_os" != ubuntu ]; then
            __porthole_stop "$2 is a Launchpad PPA, built for Ubuntu releases, and the job's image is $__porthole_release: run the job in an Ubuntu image, or give a source built for its release."
          fi
          if command -v add-apt-repository >/dev/null 2>&1; then
            printf '$ add-apt-repository -y %s\n' "$2"
            __porthole_try add-apt-repository -y "$2" || __porthole_stop "add-apt-repository -y $2 failed."
            return
          fi
          [ -n "$__porthole_codename" ] || __porthole_stop "The image's /etc/os-release names no VERSION_CODENAME, which the PPA $2 needs."
          local __porthole_answer __porthole_fingerprint
          __porthole_answer=$(mktemp)
          printf '$ look up the signing key of %s on Launchpad\n' "$2"
          __porthole_fetch "https://api.launchpad.net/1.0/~$3/+archive/ubuntu/$4" "$__porthole_answer" || __porthole_stop "Launchpad did not answer for $2 (the image has no add-apt-repository, which would add it)."
          __porthole_fingerprint=$(grep -o '"signing_key_fingerprint": *"[0-9A-Fa-f]*"' "$__porthole_answer" | grep -o '[0-9A-Fa-f]\{16,\}')
          rm -f "$__porthole_answer"
          [ -n "$__porthole_fingerprint" ] || __porthole_stop "Launchpad names no signing key for $2."
          __porthole_key "$1" "https://keyserver.ubuntu.com/pks/lookup?op=get&search=0x$__porthole_fingerprint"
          __porthole_deb "$1" "deb http://ppa.launchpad.net/$3/$4/ubuntu $__porthole_codename main"
        }

        if ! command -v apt-get >/dev/null 2>&1; then
          __porthole_stop "addons.apt needs apt-get, and the job's image has none (it is not Debian or Ubuntu): use a Debian or Ubuntu image, or install the packages in before_install with the image's own tool."
        fi
        __porthole_os=$(. /etc/os-release 2>/dev/null && printf '%s' "${ID:-}")
        __porthole_codename=$(. /etc/os-release 2>/dev/null && printf '%s' "${VERSION_CODENAME:-${UBUNTU_CODENAME:-}}")
        __porthole_release=$(. /etc/os-release 2>/dev/null && printf '%s' "${PRETTY_NAME:-an unknown system}")
        printf 'Installing apt packages as %s (uid %s) in %s\n' "$(id -un 2>/dev/null || echo root)" "$(id -u)" "$__porthole_release"
        export DEBIAN_FRONTEND=noninteractive
        mkdir -p /etc/apt/sources.list.d /etc/apt/trusted.gpg.d
        """;

    public static string Write(AptRequest request)
    {
        var script = new StringBuilder();
        WriteHeader(script, request);
        script.Append("__porthole_attempts=").Append(request.Retries ? "3" : "1").Append('\n');
        script.Append(Functions).Append('\n');
        var number = 0;
        foreach (var source in request.Sources)
        {
            number++;
            var index = number.ToString(CultureInfo.InvariantCulture);
            script.Append('\n');
            if (source.IsPpa)
            {
                var parts = source.Line["ppa:".Length..].Split('/', 2);
                script.Append("__porthole_ppa ").Append(index).Append(' ').Append(ShellQuote.Single(source.Line))
                    .Append(' ').Append(ShellQuote.Single(parts[0])).Append(' ').Append(ShellQuote.Single(parts[1])).Append('\n');
                continue;
            }

            var key = source.KeyUrl ?? (source.KeyFingerprint is { } fingerprint ? "https://keyserver.ubuntu.com/pks/lookup?op=get&search=0x" + fingerprint : null);
            if (key is not null)
            {
                script.Append("__porthole_key ").Append(index).Append(' ').Append(ShellQuote.Single(key)).Append('\n');
            }

            script.Append("__porthole_deb ").Append(index).Append(' ').Append(ShellQuote.Single(source.Line)).Append('\n');
        }

        // Travis runs travis_apt_get_update before every install; a fresh container has no package lists at all.
        script.Append("\nprintf '$ apt-get update -qq\\n'\n");
        script.Append("__porthole_try apt-get update -qq || __porthole_stop 'apt-get update failed: a source above may be wrong or unreachable.'\n");
        if (request.Packages.Count > 0)
        {
            var packages = string.Join(' ', request.Packages.Select(ShellQuote.Single));
            script.Append("\nprintf '$ apt-get -yq --no-install-suggests --no-install-recommends install %s\\n' ").Append(ShellQuote.Single(string.Join(' ', request.Packages))).Append('\n');
            script.Append("__porthole_try apt-get -yq --no-install-suggests --no-install-recommends install ").Append(packages)
                .Append(" || __porthole_stop ").Append(ShellQuote.Single("apt-get install failed: see its messages above (a package that does not exist, or one the sources do not have).")).Append('\n');
        }

        script.Append("exit 0\n");
        return script.ToString();
    }

    /// <summary>The comment block the plan printer reads the step's commands from (<see cref="PhaseHeader.ReadCommands"/>).</summary>
    private static void WriteHeader(StringBuilder script, AptRequest request)
    {
        var commands = new List<string>();
        commands.AddRange(request.Sources.Select(source => source.IsPpa ? $"add {source.Line}" : $"add source {source.Line}"));
        commands.Add("apt-get update");
        if (request.Packages.Count > 0)
        {
            commands.Add("apt-get install " + string.Join(' ', request.Packages));
        }

        script.Append("# Travis addons.apt: runs as root in the job's container; the first failure stops the job.\n");
        foreach (var command in commands)
        {
            script.Append("#   $ ").Append(command).Append('\n');
        }
    }
}
