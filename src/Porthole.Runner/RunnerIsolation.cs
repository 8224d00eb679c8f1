using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Porthole.Execution.Processes;
using Porthole.Execution.Sandbox;
using Porthole.Ssh.Keys;

namespace Porthole.Runner;

/// <summary>
/// At the runner's start: makes the SSH host key (the node sandboxes show it to their sshd only if it exists), finds out
/// how jobs can be isolated here (<see cref="IsolationProbe"/>) and says so, with a warning when they cannot be.
/// </summary>
public sealed partial class RunnerIsolation(
    IOptions<RunnerOptions> options,
    IOptions<RunnerSshOptions> sshOptions,
    IsolationState state,
    ILogger<RunnerIsolation> logger)
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var hostKey = Path.GetFullPath(sshOptions.Value.HostKeyPath);
        await HostKey.LoadOrCreateAsync(hostKey, cancellationToken);
        var hidden = new List<string>
        {
            settings.WorkspaceDirectory, settings.SpoolDirectory, settings.StateDirectory, Path.GetDirectoryName(hostKey)!,
        };
        if (settings.DataDirectory is { } data)
        {
            hidden.Add(data);
        }

        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (!FileOwnership.IsRoot && home.Length > 1)
        {
            // The runner's own account: its home holds its credentials (the CLI's token, ssh keys).
            hidden.Add(home);
        }

        var isolation = await IsolationProbe.DetectAsync(
            new IsolationSettings(settings.JobAccount, settings.RunJobsAsRoot, hidden.Select(Path.GetFullPath).ToList(), [hostKey]),
            cancellationToken);
        state.Set(isolation);
        if (isolation.Refusal is not null || isolation.Warning is not null)
        {
            LogUnsafe(logger, isolation.Describe(), isolation.Warning ?? isolation.Refusal!);
        }
        else
        {
            LogIsolation(logger, isolation.Describe());
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Runner isolation: {Isolation}")]
    private static partial void LogIsolation(ILogger logger, string isolation);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Runner isolation: {Isolation}. {Warning}")]
    private static partial void LogUnsafe(ILogger logger, string isolation, string warning);
}
