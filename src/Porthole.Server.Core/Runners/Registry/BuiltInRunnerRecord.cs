using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Porthole.Server.Runners.Registry;

/// <summary>
/// Registers the built-in runner in the runners list when the server starts (issue 14). What it registers as comes
/// from the composition that adds the runner (its name, labels, capacity and SSH address are the runner's settings).
/// </summary>
public sealed class BuiltInRunnerRecord(RunnerRegistry registry, Func<RunnerRegistration> registration) : IHostedService
{
    /// <summary>The default name of the built-in runner: this machine's name and <c>-builtin</c>.</summary>
    public static string DefaultName => Environment.MachineName.ToLowerInvariant() + "-builtin";

    public Task StartAsync(CancellationToken cancellationToken) =>
        registry.RegisterAsync(registration(), LeaseSweeper.BuiltInRunnerName, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Adds <see cref="BuiltInRunnerRecord"/>.</summary>
public static class BuiltInRunnerRecordExtensions
{
    /// <summary>Registers the built-in runner at start as <paramref name="registration"/> says (read once the services exist).</summary>
    public static IServiceCollection AddBuiltInRunnerRecord(this IServiceCollection services, Func<IServiceProvider, RunnerRegistration> registration) =>
        services.AddHostedService(sp => new BuiltInRunnerRecord(sp.GetRequiredService<RunnerRegistry>(), () => registration(sp)));
}
