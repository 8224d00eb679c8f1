using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Porthole.Server;

/// <summary>Runs <c>porthole server</c>: the API, the scheduler and whatever the host adds (the built-in runner).</summary>
public static class ServerHost
{
    public static Task<int> RunAsync(ServerHostOptions options, CancellationToken cancellationToken) =>
        RunAsync(options, static _ => { }, cancellationToken);

    public static async Task<int> RunAsync(ServerHostOptions options, Action<IServiceCollection> addServices, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(addServices);
        WebApplication app;
        try
        {
            app = ServerApp.Build(options, addServices);
            await ServerApp.InitializeAsync(app, cancellationToken);
        }
        catch (Data.DatabaseSettingException e)
        {
            // The setting itself is wrong (a malformed --db): as a command line error, exit code 2.
            await Console.Error.WriteLineAsync($"error: the server cannot start: {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is Microsoft.Extensions.Options.OptionsValidationException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            await Console.Error.WriteLineAsync($"error: the server cannot start: {e.Message}");
            return 1;
        }

        await using (app)
        {
            await app.StartAsync(cancellationToken);
            if (options.Demo)
            {
                await Demo.DemoProject.StartAsync(app, options, cancellationToken);
            }

            await app.WaitForShutdownAsync(cancellationToken);
        }

        return 0;
    }
}
