using Porthole.Execution.Executors;
using Porthole.Execution.Processes;
using Porthole.Execution.Shell;

namespace Porthole.Execution.Sandbox;

/// <summary>Finds out at a runner's start which <see cref="JobIsolation"/> this machine can give: it tries a sandbox for real.</summary>
public static class IsolationProbe
{
    private const string StandardPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    public static async Task<JobIsolation> DetectAsync(IsolationSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var hidden = settings.HiddenPaths.Select(Path.GetFullPath).Distinct(StringComparer.Ordinal).ToList();
        var runnerOnly = settings.RunnerReadOnlyPaths.Select(Path.GetFullPath).Distinct(StringComparer.Ordinal).ToList();
        var root = FileOwnership.IsRoot;
        var bwrap = ExecutableLookup.Find("bwrap", StandardPath, "/");
        var nsenter = ExecutableLookup.Find("nsenter", StandardPath, "/");
        var setpriv = ExecutableLookup.Find("setpriv", StandardPath, "/");
        string? problem = bwrap is null || nsenter is null || setpriv is null
            ? "bubblewrap (bwrap), nsenter and setpriv are needed (apt-get install bubblewrap util-linux)"
            : null;

        NodeAccount? account = null;
        if (root && !settings.RunJobsAsRoot)
        {
            try
            {
                account = await NodeAccount.FindOrCreateAsync(settings.JobAccount, cancellationToken);
            }
            catch (ExecutorException e)
            {
                return new JobIsolation { Refusal = e.Message + " Set Runner:JobAccount to an unprivileged account." };
            }
        }

        var userNamespace = !root;
        if (problem is null)
        {
            problem = await TryAsync(bwrap!, userNamespace, cancellationToken);
        }

        if (problem is not null)
        {
            if (root && !settings.RunJobsAsRoot)
            {
                return new JobIsolation
                {
                    Refusal = $"this root runner cannot sandbox jobs ({problem}), and it does not run jobs as root unless Runner:RunJobsAsRoot is set",
                };
            }

            return new JobIsolation
            {
                Warning = root
                    ? $"this runner runs jobs as root without a sandbox ({problem}; Runner:RunJobsAsRoot is set): a job can read and change everything on this machine, the server's data folder included."
                    : $"this runner cannot sandbox jobs ({problem}): a job runs as {Environment.UserName} and can read and write everything that account can, the server's data folder (database, tokens, other projects' workspaces) included.",
            };
        }

        return new JobIsolation
        {
            Sandboxed = true,
            Account = account,
            UserNamespace = userNamespace,
            HiddenPaths = hidden,
            RunnerReadOnlyPaths = runnerOnly,
            BwrapPath = bwrap!,
            NsenterPath = nsenter!,
            SetprivPath = setpriv!,
            Warning = root && settings.RunJobsAsRoot
                ? "this runner runs jobs as root (Runner:RunJobsAsRoot is set): the sandbox hides the data folder, but root can leave it; a job can read and change everything on this machine."
                : null,
        };
    }

    /// <summary>Runs <c>true</c> in a sandbox like a node's; returns why it failed, or null.</summary>
    private static async Task<string?> TryAsync(string bwrap, bool userNamespace, CancellationToken cancellationToken)
    {
        var run = await HostCommand.RunAsync(
            bwrap, NodeSandbox.NamespaceArguments(userNamespace).Concat(["--bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "--", "true"]), cancellationToken);
        return run.Succeeded ? null : $"bwrap exited with {run.ExitCode}: {run.Error.Trim()}";
    }
}
