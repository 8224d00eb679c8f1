using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Porthole.Contracts.Runners;

namespace Porthole.Runner.Remote;

/// <summary>Composes a remote runner (<c>porthole runner</c>): the runner loop speaking the protocol over HTTP to its server.</summary>
public static class RemoteRunnerServiceCollectionExtensions
{
    /// <summary>The name a remote runner's processes are tagged with (the server knows it by its token's name).</summary>
    public const string LocalName = "remote";

    /// <summary>
    /// Adds the runner loop (<see cref="RunnerServiceCollectionExtensions.AddRunner"/>, settings from the <c>Runner</c> and
    /// <c>Ssh</c> sections, its folders under <paramref name="dataDirectory"/>) with <see cref="HttpRunnerProtocol"/> as its
    /// <see cref="IRunnerProtocol"/>, talking to <see cref="RemoteRunnerOptions.Server"/>; the system clock and logging.
    /// </summary>
    public static IServiceCollection AddRemoteRunner(this IServiceCollection services, RemoteRunnerOptions remote, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(remote);
        services.AddLogging();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(remote);
        services.AddSingleton<LeaseBook>();
        services.AddSingleton<RunnerRefusal>();
        services.AddSingleton<RunnerConnection>();
        services.AddSingleton<RemoteRegistration>();
        services.AddSingleton<HttpRunnerProtocol>();
        services.AddSingleton<IRunnerProtocol>(sp => sp.GetRequiredService<HttpRunnerProtocol>());
        return services.AddRunner(LocalName, dataDirectory);
    }
}
