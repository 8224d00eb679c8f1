using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Porthole.Server.Web.Terminal;

public static class WebTerminalServiceCollectionExtensions
{
    /// <summary>
    /// The browser terminal's services: the terminals and the clean-up at start. Their grants (<see cref="Ssh.WebTerminalGrants"/>,
    /// in the database, read by every SSH node's heartbeat) are the core's (<c>AddPortholeCore</c>).
    /// </summary>
    public static IServiceCollection AddWebTerminal(this IServiceCollection services)
    {
        services.AddSingleton<WebTerminals>();
        services.AddHostedService<LeftoverTerminalKeys>();
        return services;
    }
}

/// <summary>At start, deletes the key pairs that a previous server process left behind (it crashed with terminals open).</summary>
internal sealed partial class LeftoverTerminalKeys(WebTerminals terminals, ILogger<LeftoverTerminalKeys> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (Directory.Exists(terminals.KeyRoot))
        {
            foreach (var folder in Directory.EnumerateDirectories(terminals.KeyRoot))
            {
                try
                {
                    Directory.Delete(folder, recursive: true);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // A folder that cannot go must not keep the server from starting; its key is no longer granted anyway.
                    LogNotDeleted(folder, e.Message);
                }
            }
        }

        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A browser terminal's leftover key folder {Folder} could not be deleted: {Reason}")]
    private partial void LogNotDeleted(string folder, string reason);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
