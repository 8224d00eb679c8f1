using System.Diagnostics;
using System.Globalization;
using Porthole.Execution.Executors;

namespace Porthole.Execution.Sandbox;

/// <summary>The unprivileged account a root runner runs jobs and SSH sessions as (its name is the ssh login).</summary>
public sealed record NodeAccount(string Name, int Uid, int Gid)
{
    /// <summary>Looks the account up (getent, so NSS accounts count too); null when there is none of that name.</summary>
    public static NodeAccount? Find(string name)
    {
        ValidateName(name);
        var (code, output) = Run("getent", "passwd", name);
        if (code != 0)
        {
            return null;
        }

        var fields = output.Trim().Split(':');
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
    public static NodeAccount FindOrCreate(string name)
    {
        var account = Find(name);
        if (account is null)
        {
            // No password ('*', not '!'): sshd without PAM refuses a locked account even for a key.
            var (code, output) = Run("useradd", "--system", "--user-group", "--no-create-home", "--home-dir", "/", "--shell", "/bin/bash", "--password", "*", name);
            account = Find(name) ?? throw new ExecutorException(
                $"The job account '{name}' does not exist and could not be made (useradd exited with {code}: {output.Trim()}).");
        }

        var (_, shadow) = Run("getent", "shadow", name);
        if (shadow.Split(':') is [_, var password, ..] && password.StartsWith('!'))
        {
            // A locked account (useradd's default) cannot log in over SSH at all, keys included: unlock it, passwordless.
            Run("usermod", "--password", "*", name);
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

    private static (int Code, string Output) Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            return (process.ExitCode, stdout.Result + stderr.Result);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (127, $"{program}: {e.Message}");
        }
    }
}
