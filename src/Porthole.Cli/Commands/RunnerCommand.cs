using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Porthole.Contracts.Runners;
using Porthole.Runner;
using Porthole.Runner.Remote;

namespace Porthole.Cli.Commands;

/// <summary>
/// <c>porthole runner</c>: a remote runner (issue 14). It registers with a server under a runner token, leases the jobs
/// its labels cover over HTTP, runs them here with their SSH endpoints on this host, and stops cleanly on Ctrl+C or
/// SIGTERM (the nodes it runs end as infrastructure_fail, as the built-in runner's do).
/// </summary>
internal static partial class RunnerCommand
{
    public const string DefaultData = "./runner-data";
    public const string TokenVariable = "PORTHOLE_RUNNER_TOKEN";
    private const int MaxLabels = 64;

    /// <summary>How long a stop waits for the nodes it ends to send their last log bytes and results.</summary>
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(90);

    [GeneratedRegex("^[A-Za-z0-9._:/-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex LabelPattern();

    [GeneratedRegex(@"^[A-Za-z0-9.:\[\]-]{1,253}$", RegexOptions.CultureInvariant)]
    private static partial Regex HostPattern();

    public static Command Create(CliContext context)
    {
        var server = new Option<string>("--server") { Description = "The Porthole server's address, e.g. http://ci.example:8080" };
        var token = new Option<string>("--token")
        {
            Description = $"The runner token (prt_…, from 'runner-token create NAME'); better given in the environment variable {TokenVariable}, since a command line is visible to anyone on this host (ps)",
        };
        var labels = new Option<string>("--labels") { Description = "What jobs this runner takes besides linux, docker and machine, comma-separated, e.g. acme/gpu (a CircleCI resource_class namespace/name)" };
        var capacity = new Option<string>("--capacity") { Description = "How many nodes run at once (1 to 256); default twice the core count, at least 4" };
        var data = new Option<string>("--data") { Description = $"The runner's folder (workspaces, log spool, SSH host key); default {DefaultData}" };
        var advertise = new Option<string>("--ssh-advertise-host") { Description = "The host printed in the SSH commands of this runner's nodes (ssh -p PORT user@HOST); default 127.0.0.1" };
        var command = new Command("runner", $"Run a remote runner: take jobs from a Porthole server over HTTP and run them on this host (the token may come from {TokenVariable})")
        {
            server, token, labels, capacity, data, advertise,
        };
        command.SetAction((parseResult, cancellationToken) =>
        {
            var arguments = RunnerArguments.Check(
                parseResult.GetValue(server),
                parseResult.GetValue(token) ?? context.Environment(TokenVariable),
                parseResult.GetValue(labels),
                parseResult.GetValue(capacity),
                parseResult.GetValue(advertise));
            return RunAsync(context, arguments, parseResult.GetValue(data) ?? DefaultData, cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, RunnerArguments arguments, string data, CancellationToken cancellationToken)
    {
        try
        {
            Directory.CreateDirectory(data);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"the runner cannot use its data folder {data}: {e.Message}");
        }

        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = Directory.GetCurrentDirectory() });
        builder.Configuration.AddEnvironmentVariables("PORTHOLE_");
        builder.Configuration.AddInMemoryCollection(arguments.Settings());
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("System.Net.Http", LogLevel.Warning);

        // A runner loop that fails is said once, in one line, by the command (below), not as the host's stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-dd HH:mm:ss ";
        });
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);
        IServiceProvider? services = null;
        var remote = new RemoteRunnerOptions
        {
            Server = arguments.Server,
            Token = arguments.Token,
            Registered = reply => Announce(context, arguments.Server, services?.GetService<IOptions<RunnerSshOptions>>()?.Value.AdvertiseHost, reply),
        };
        builder.Services.AddRemoteRunner(remote, data);

        using var host = builder.Build();
        services = host.Services;
        var refusal = host.Services.GetRequiredService<RunnerRefusal>();
        var loops = host.Services.GetServices<IHostedService>().OfType<BackgroundService>().ToList();
        try
        {
            await host.RunAsync(cancellationToken);
        }
        catch (OptionsValidationException e)
        {
            throw new CliException($"the runner cannot start: {e.Message}");
        }

        if (refusal.Reason is { } reason)
        {
            throw new CliException($"the server refused this runner: {reason}");
        }

        return loops.Select(l => l.ExecuteTask?.Exception?.GetBaseException()).FirstOrDefault(e => e is not null) is { } failure
            ? throw new CliException($"the runner stopped: {failure.Message}")
            : ExitCodes.Success;
    }

    private static void Announce(CliContext context, Uri server, string? sshHost, RunnerRegisterReply reply)
    {
        var address = sshHost is null ? "" : $"; SSH endpoints on {sshHost}";
        context.Output.WriteLine(
            $"Runner {reply.Name} registered with {server.AbsoluteUri.TrimEnd('/')}; labels {string.Join(", ", reply.Labels)}{address}; waiting for jobs. Press Ctrl+C to stop.");
        context.Output.Flush();
    }

    /// <summary>The command line, checked before anything starts: a bad value is a usage error (exit code 2).</summary>
    private sealed record RunnerArguments(Uri Server, string Token, IReadOnlyList<string> Labels, int? Capacity, string? AdvertiseHost)
    {
        public static RunnerArguments Check(string? server, string? token, string? labels, string? capacity, string? advertiseHost)
        {
            if (string.IsNullOrWhiteSpace(server))
            {
                throw CliException.Usage("--server is required: the Porthole server's address, e.g. --server http://ci.example:8080");
            }

            if (!Uri.TryCreate(server.Trim(), UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https")
                || url.UserInfo.Length > 0 || url.Query.Length > 0 || url.Fragment.Length > 0)
            {
                throw CliException.Usage($"--server '{server.Trim()}' is not a server address: give http:// or https://, a host and maybe a port, e.g. http://ci.example:8080");
            }

            token = token?.Trim();
            if (string.IsNullOrEmpty(token))
            {
                throw CliException.Usage($"a runner token is required: set the environment variable {TokenVariable} (or give --token); an administrator makes one with 'runner-token create NAME'");
            }

            if (token.Any(c => c is < '!' or > '~'))
            {
                throw CliException.Usage("the runner token is not one: it has spaces or characters a token never has (it starts with prt_)");
            }

            var given = labels is null ? [] : labels.Split(',', StringSplitOptions.TrimEntries);
            if (given.Length > MaxLabels)
            {
                throw CliException.Usage($"--labels: a runner has at most {MaxLabels} labels");
            }

            foreach (var label in given)
            {
                if (!LabelPattern().IsMatch(label))
                {
                    throw CliException.Usage($"--labels: '{label}' is not a label: letters, digits, '.', '_', ':', '/' and '-' (1 to 64), comma-separated, e.g. --labels acme/gpu,fast");
                }
            }

            int? nodes = null;
            if (capacity is not null)
            {
                nodes = int.TryParse(capacity.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count is >= 1 and <= 256
                    ? count
                    : throw CliException.Usage($"--capacity '{capacity.Trim()}' is not how many nodes run at once: a number from 1 to 256");
            }

            advertiseHost = advertiseHost?.Trim();
            if (advertiseHost is not null && !HostPattern().IsMatch(advertiseHost))
            {
                throw CliException.Usage($"--ssh-advertise-host '{advertiseHost}' is not a host name or IP address");
            }

            return new RunnerArguments(url, token, [.. given.Distinct(StringComparer.Ordinal)], nodes, advertiseHost);
        }

        /// <summary>The command line's settings, over the environment's (<c>PORTHOLE_Runner__…</c>).</summary>
        public Dictionary<string, string?> Settings()
        {
            var settings = new Dictionary<string, string?>();
            for (var i = 0; i < Labels.Count; i++)
            {
                settings[$"Runner:Labels:{i.ToString(CultureInfo.InvariantCulture)}"] = Labels[i];
            }

            if (Capacity is { } nodes)
            {
                settings["Runner:Concurrency"] = nodes.ToString(CultureInfo.InvariantCulture);
            }

            if (AdvertiseHost is { } host)
            {
                settings["Ssh:AdvertiseHost"] = host;
            }

            return settings;
        }

        public override string ToString() => $"RunnerArguments {{ Server = {Server}, Token = ***, Labels = {string.Join(',', Labels)} }}";
    }
}
