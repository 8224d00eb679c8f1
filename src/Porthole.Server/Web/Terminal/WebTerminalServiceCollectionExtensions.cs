using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Porthole.Server.Web.Terminal;

public static class WebTerminalServiceCollectionExtensions
{
    /// <summary>The browser terminal's services: the live terminals' grants (read by every SSH node's heartbeat) and the terminals.</summary>
    public static IServiceCollection AddWebTerminal(this IServiceCollection services)
    {
        services.AddSingleton<WebTerminalGrants>();
        services.AddSingleton<WebTerminals>();
        services.AddHostedService<LeftoverTerminalKeys>();
        return services;
    }
}

/// <summary>At start, deletes the key pairs that a previous server process left behind (it crashed with terminals open).</summary>
internal sealed class LeftoverTerminalKeys(WebTerminals terminals) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (Directory.Exists(terminals.KeyRoot))
        {
            foreach (var folder in Directory.EnumerateDirectories(terminals.KeyRoot))
            {
                Directory.Delete(folder, recursive: true);
            }
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
