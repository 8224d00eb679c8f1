using Microsoft.Extensions.Hosting;

namespace Porthole.Server.Projects;

/// <summary>Runs git's upkeep of each mirror a trigger fetched (<see cref="ProjectRepositories.UpkeepAsync"/>), one at a time.</summary>
public sealed class MirrorUpkeep(ProjectRepositories repositories) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var projectId in repositories.Fetched.ReadAllAsync(stoppingToken))
            {
                await repositories.UpkeepAsync(projectId, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
