using System.Text;
using Porthole.Contracts.Plans;
using Porthole.Contracts.Runners;

namespace Porthole.Execution.StepHandlers;

/// <summary>
/// <c>add_ssh_keys</c> (dialects.md §A5): the project's additional SSH keys that the step lists by fingerprint (MD5
/// <c>aa:bb:…</c> with or without <c>MD5:</c>, or <c>SHA256:…</c>), or all of them, go into <c>$HOME/.ssh</c> as the job's
/// account, as <c>id_rsa_&lt;MD5 hex&gt;</c> (0600, the folder 0700), each with a <c>Host</c> block of <c>IdentityFile</c> in
/// <c>$HOME/.ssh/config</c>, as CircleCI does. A listed fingerprint the project has no key for fails the step, naming it,
/// before anything is installed.
/// </summary>
/// <remarks>
/// ssh reads the <c>~/.ssh</c> of the account's home directory in the password file, not <c>$HOME</c>. A container's
/// account and a sandboxed shell node's (whose <c>/etc/passwd</c> names the node's home: <c>NodePasswd</c>) have
/// <c>$HOME</c> as that home, so every step and the checkout use the keys. Where the two still differ (a runner that
/// cannot sandbox its jobs runs them as itself), the step also writes an <c>ssh</c> that reads <c>$HOME/.ssh/config</c>
/// into <c>$HOME/.ssh/porthole-bin</c> and puts that folder first on PATH through <c>$BASH_ENV</c>, so the bash steps
/// after it (CircleCI's default shell) and what they run (git, rsync) use the keys.
/// </remarks>
internal sealed class AddSshKeysHandler : IStepHandler
{
    /// <summary>Writes one key from stdin into <c>$HOME/.ssh/$1</c>, 0600, in a folder of 0700; never prints it.</summary>
    private const string InstallKeyScript = """
        set -e
        : "${HOME:?HOME is not set}"
        umask 077
        mkdir -p "$HOME/.ssh"
        chmod 700 "$HOME/.ssh"
        rm -f "$HOME/.ssh/$1"
        cat > "$HOME/.ssh/$1"
        chmod 600 "$HOME/.ssh/$1"
        """;

    /// <summary>
    /// Appends a <c>Host $1</c> / <c>IdentityFile $HOME/.ssh/$2</c> block per pair of arguments to <c>$HOME/.ssh/config</c>;
    /// where the account's own home is not <c>$HOME</c>, also the ssh that reads it, first on PATH through BASH_ENV.
    /// </summary>
    private const string ConfigureScript = """
        set -e
        : "${HOME:?HOME is not set}"
        umask 077
        ssh_dir="$HOME/.ssh"
        uid=$(id -u)
        account_home=$(getent passwd "$uid" 2>/dev/null | cut -d: -f6) || true
        if [ -z "$account_home" ] && [ -r /etc/passwd ]; then
          account_home=$(awk -F: -v uid="$uid" '$3 == uid { print $6; exit }' /etc/passwd)
        fi
        own_home=no
        if [ -n "$account_home" ] && [ "$(cd "$account_home" 2>/dev/null && pwd -P)" = "$(cd "$HOME" && pwd -P)" ]; then
          own_home=yes
        fi
        {
          printf '\n# add_ssh_keys (Porthole)\n'
          while [ $# -ge 2 ]; do
            printf 'Host %s\n  IdentityFile "%s"\n' "$1" "$ssh_dir/$2"
            shift 2
          done
          if [ "$own_home" = no ]; then
            printf 'Host *\n  UserKnownHostsFile "%s"\n' "$ssh_dir/known_hosts"
          fi
        } >> "$ssh_dir/config"
        chmod 600 "$ssh_dir/config"
        if [ "$own_home" = yes ]; then
          exit 0
        fi
        bin="$ssh_dir/porthole-bin"
        if [ ! -x "$bin/ssh" ]; then
          real_ssh=$(command -v ssh) || { echo "Warning: ssh is not installed here; the keys are in $ssh_dir for a program that reads them."; exit 0; }
          mkdir -p "$bin"
          printf '#!/bin/sh\n# Written by add_ssh_keys (Porthole): ssh reads ~/.ssh of the account'"'"'s home directory, not $HOME.\nexec "%s" -F "$HOME/.ssh/config" "$@"\n' "$real_ssh" > "$bin/ssh"
          chmod 700 "$bin/ssh"
        fi
        if [ -n "${BASH_ENV:-}" ] && [ -w "$BASH_ENV" ]; then
          if ! grep -qF "$bin:" "$BASH_ENV"; then
            printf 'export PATH="%s:$PATH"\n' "$bin" >> "$BASH_ENV"
          fi
          echo "ssh on this node reads the account's home ($account_home), not HOME: the bash steps after this one run $bin/ssh, which reads $ssh_dir/config."
        else
          echo "ssh on this node reads the account's home ($account_home), not HOME: run $bin/ssh (or ssh -F $ssh_dir/config)."
        fi
        """;

    public async Task<int> RunAsync(StepPlan step, StepScope scope)
    {
        var asked = step.AddSshKeys?.Fingerprints ?? [];
        var available = scope.Assignment.SshKeys;
        var unknown = asked.Where(f => !available.Any(k => k.Matches(f))).ToList();
        if (unknown.Count > 0)
        {
            throw new StepFailedException(
                $"The project has no additional SSH key with the fingerprint{(unknown.Count == 1 ? "" : "s")} {string.Join(", ", unknown.Select(f => $"'{f}'"))}: "
                + $"add it with 'porthole project ssh-key add {scope.Assignment.ProjectName} FILE' (see 'porthole project ssh-key list {scope.Assignment.ProjectName}').");
        }

        var keys = asked.Count == 0 ? available : [.. available.Where(k => asked.Any(k.Matches))];
        if (keys.Count == 0)
        {
            await scope.SayAsync($"The project has no additional SSH keys: nothing to install (add one with 'porthole project ssh-key add {scope.Assignment.ProjectName} FILE').");
            return 0;
        }

        var blocks = new List<string>();
        foreach (var key in keys.OrderBy(k => k.Host is null))
        {
            var file = FileName(key);
            var code = await NodeCommand.RunAsync(scope, InstallKeyScript, [file], scope.JobDirectory, scope.Log, (stdin, ct) => WriteKeyAsync(stdin, key, ct));
            if (code != 0)
            {
                throw new StepFailedException($"The key {key.Sha256} could not be installed in ~/.ssh/{file} (exit code {code}).");
            }

            await scope.SayAsync($"Installed the key {key.Sha256} (MD5:{key.Md5}) as ~/.ssh/{file}, for {(key.Host is null ? "every host" : key.Host)}.");
            blocks.Add(key.Host ?? "*");
            blocks.Add(file);
        }

        var configured = await NodeCommand.RunAsync(scope, ConfigureScript, blocks, scope.JobDirectory, scope.Log);
        if (configured != 0)
        {
            throw new StepFailedException($"~/.ssh/config could not be written (exit code {configured}).");
        }

        return 0;
    }

    /// <summary>CircleCI's name for an added key: <c>id_rsa_</c> and its MD5 fingerprint's hex, whatever the key's type.</summary>
    internal static string FileName(AdditionalSshKey key) => "id_rsa_" + key.Md5.Replace(":", "", StringComparison.Ordinal).ToLowerInvariant();

    private static async Task WriteKeyAsync(Stream stdin, AdditionalSshKey key, CancellationToken cancellationToken)
    {
        var text = key.PrivateKey.EndsWith('\n') ? key.PrivateKey : key.PrivateKey + "\n";
        await stdin.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken);
    }
}
