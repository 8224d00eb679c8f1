using System.Globalization;
using Porthole.Execution.Executors;
using Porthole.Execution.Processes;

namespace Porthole.Execution.Sandbox;

/// <summary>The unprivileged account a root runner runs jobs and SSH sessions as (its name is the ssh login).</summary>
public sealed record NodeAccount(string Name, int Uid, int Gid)
{
    /// <summary>Looks the account up (getent, so NSS accounts count too); null when there is none of that name.</summary>
    public static async Task<NodeAccount?> FindAsync(string name, CancellationToken cancellationToken)
    {
        ValidateName(name);
        var entry = await HostCommand.RunAsync("getent", ["passwd", name], cancellationToken);
        if (!entry.Succeeded)
        {
            return null;
        }

        var fields = entry.Output.Trim().Split(':');
        return fields.Length >= 4
            && int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var uid)
            && int.TryParse(fields[3], NumberStyles.None, CultureInfo.InvariantCulture, out var gid)
            ? new NodeAccount(fields[0], uid, gid)
            : null;
    }

    /// <summary>
    /// Finds the account, or makes it (a system account with a group of its own, no password, no home of its own: a
    /// job's HOME is its workspace). Root only.
    /// </summary>
    /// <exception cref="ExecutorException">It does not exist and could not be made, or it is root.</exception>
    public static async Task<NodeAccount> FindOrCreateAsync(string name, CancellationToken cancellationToken)
    {
        var account = await FindAsync(name, cancellationToken);
        if (account is null)
        {
            // No password ('*', not '!'): sshd without PAM refuses a locked account even for a key.
            var made = await HostCommand.RunAsync(
                "useradd", ["--system", "--user-group", "--no-create-home", "--home-dir", "/", "--shell", "/bin/bash", "--password", "*", name], cancellationToken);
            account = await FindAsync(name, cancellationToken) ?? throw new ExecutorException(
                $"The job account '{name}' does not exist and could not be made (useradd exited with {made.ExitCode}: {made.Error.Trim()}).");
        }

        var shadow = await HostCommand.RunAsync("getent", ["shadow", name], cancellationToken);
        if (shadow.Output.Split(':') is [_, var password, ..] && password.StartsWith('!'))
        {
            // A locked account (useradd's default) cannot log in over SSH at all, keys included: unlock it, passwordless.
            await HostCommand.RunAsync("usermod", ["--password", "*", name], cancellationToken);
        }

        if (account.Uid == 0 || account.Gid == 0)
        {
            throw new ExecutorException($"The job account '{name}' is root (uid or gid 0); name an unprivileged account.");
        }

        return account;
    }

    private static void ValidateName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 32 || name[0] == '-'
            || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw new ExecutorException($"'{name}' is not a valid account name (letters, digits, '-', '_' and '.', not starting with '-').");
        }
    }
}
