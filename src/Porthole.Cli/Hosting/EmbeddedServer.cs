using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Porthole.Runner;
using Porthole.Server;
using Microsoft.Extensions.Options;
using Porthole.Server.Runners;
using Porthole.Server.Runners.Registry;

namespace Porthole.Cli.Hosting;

/// <summary>
/// The embedded default (R-SC-1): the server with its built-in runner in this process, SQLite in the data folder.
/// <c>porthole server</c> runs it until stopped; tests and benchmarks start and stop it around their work.
/// </summary>
public sealed class EmbeddedServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private bool _stopped;

    private EmbeddedServer(WebApplication app) => _app = app;

    public IServiceProvider Services => _app.Services;

    /// <summary>Adds the built-in runner, with its workspaces and spool in the data folder.</summary>
    public static Action<IServiceCollection> BuiltInRunner(string dataDirectory) =>
        services => services
            .AddBuiltInRunnerRecord(sp =>
            {
                var runner = sp.GetRequiredService<IOptions<RunnerOptions>>().Value;
                return new RunnerRegistration(
                    string.IsNullOrEmpty(runner.Name) ? BuiltInRunnerRecord.DefaultName : runner.Name,
                    RunnerRegistry.ServerVersion,
                    [.. runner.Labels.Distinct(StringComparer.Ordinal)],
                    runner.Concurrency,
                    sp.GetRequiredService<IOptions<RunnerSshOptions>>().Value.AdvertiseHost);
            })
            .AddRunner(LeaseSweeper.BuiltInRunnerName, dataDirectory);

    public static async Task<EmbeddedServer> StartAsync(ServerHostOptions options, CancellationToken ct)
    {
        var app = ServerApp.Build(options, BuiltInRunner(options.DataDirectory));
        await ServerApp.InitializeAsync(app, ct);
        await app.StartAsync(ct);
        return new EmbeddedServer(app);
    }

    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
