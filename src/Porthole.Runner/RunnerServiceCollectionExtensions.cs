using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Porthole.Execution.Docker;
using System.ComponentModel.DataAnnotations;
using Porthole.Execution;
using Porthole.Execution.Executors;
using Porthole.Execution.Sandbox;
using Porthole.Execution.Shell;

namespace Porthole.Runner;

public static class RunnerServiceCollectionExtensions
{
    /// <summary>
    /// Adds a runner loop that leases through the registered <see cref="Contracts.Runners.IRunnerProtocol"/>, with its
    /// workspaces and log spool under <paramref name="dataDirectory"/> and settings from the <c>Runner</c> section.
    /// </summary>
    public static IServiceCollection AddRunner(this IServiceCollection services, string name, string dataDirectory)
    {
        services.AddOptions<RunnerOptions>()
            .BindConfiguration(RunnerOptions.Section)
            .Configure(o =>
            {
                o.WorkspaceDirectory = Path.GetFullPath(Path.Combine(dataDirectory, "workspaces"));
                o.SpoolDirectory = Path.GetFullPath(Path.Combine(dataDirectory, "spool"));
                o.StateDirectory = Path.GetFullPath(Path.Combine(dataDirectory, "runner"));
                o.DataDirectory = Path.GetFullPath(dataDirectory);
            })
            .ValidateDataAnnotations()
            .Validate(o => Validator.TryValidateObject(o.Docker, new ValidationContext(o.Docker), null, validateAllProperties: true) && Uri.TryCreate(o.Docker.Endpoint, UriKind.Absolute, out var endpoint) && endpoint.Scheme == "unix",
                "Runner:Docker is invalid: Endpoint must be a unix:// socket and RemoteDocker off or host-socket.")
            .Validate(o => o.Labels.All(l => l.Length is > 0 and <= 64 && l.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or ':' or '/' or '-')),
                "Runner:Labels is invalid: each label is letters, digits, '.', '_', ':', '/' and '-' (at most 64).")
            .Validate(o => ImageTable.Problems(o.Images).Count == 0, "Runner:Images is invalid: each key is a Travis language or service, optionally a space and a version (\"python 3.8\", \"redis\"), and each value an image reference.")
            .ValidateOnStart();
        services.AddOptions<RunnerSshOptions>()
            .BindConfiguration(RunnerSshOptions.Section)
            .PostConfigure(o =>
            {
                if (o.HostKeyPath == new RunnerSshOptions().HostKeyPath)
                {
                    o.HostKeyPath = Path.GetFullPath(Path.Combine(dataDirectory, "ssh", "ssh_host_ed25519_key"));
                }
            })
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton(new RunnerIdentity(name));
        services.AddSingleton(sp => new ImageTable(sp.GetRequiredService<IOptions<RunnerOptions>>().Value.Images));
        services.AddSingleton<NodeSession>();
        services.AddSingleton<LeftoverNodes>();
        services.AddSingleton<IsolationState>();
        services.AddSingleton<RunnerIsolation>();
        services.AddSingleton(sp => new DockerEngine(sp.GetRequiredService<IOptions<RunnerOptions>>().Value.Docker.ToSettings()));
        services.AddSingleton<IExecutor>(sp =>
        {
            var time = sp.GetRequiredService<TimeProvider>();
            var docker = sp.GetRequiredService<DockerEngine>();
            var shell = new ShellExecutor(time, new ShellExecutorOptions(), sp.GetRequiredService<IsolationState>());
            // A docker node's sshd and tmux run on the host in the same sandbox a shell node gets.
            var chooser = new ExecutorChooser(shell, new DockerExecutor(docker, time, new ShellExecutorOptions(), shell), docker.Settings.RunOnShell);
            // A Travis job's choice without an image (after NodeSession applied the image tables) ends the node, saying which.
            return new ImageTableExecutor(chooser, docker);
        });
        services.AddSingleton<NodeRunner>();
        services.AddHostedService<BuiltInRunner>();
        return services;
    }
}
