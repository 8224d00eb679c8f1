using System.Net;
using System.Reflection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Porthole.Contracts.Runners;

namespace Porthole.Runner.Remote;

/// <summary>
/// A remote runner's registration (<c>POST /api/runner/register</c>): what it says about itself (its version, the labels
/// <c>Runner:Labels</c>, its capacity <c>Runner:Concurrency</c>, the host its SSH endpoints are advertised on,
/// <c>Ssh:AdvertiseHost</c>) before its first lease, and again when the server asks for it ("register first"). A
/// refusal (a bad or revoked token, a registration the server will not take) stops the runner with the server's reason.
/// </summary>
public sealed partial class RemoteRegistration(
    RunnerConnection connection,
    RemoteRunnerOptions remote,
    IOptions<RunnerOptions> options,
    IOptions<RunnerSshOptions> sshOptions,
    RunnerRefusal refusal,
    ILogger<RemoteRegistration> logger) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private RunnerRegisterReply? _current;
    private bool _announced;

    /// <summary>This runner's version, as <c>GET /api/runners</c> shows it.</summary>
    public static string Version { get; } =
        typeof(RemoteRegistration).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(RemoteRegistration).Assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>The server's answer to the last registration; null before the first.</summary>
    public RunnerRegisterReply? Current => Volatile.Read(ref _current);

    /// <summary>Registers unless registered already.</summary>
    public async Task EnsureAsync(CancellationToken cancellationToken)
    {
        if (Current is null)
        {
            await RegisterAsync(null, cancellationToken);
        }
    }

    /// <summary>
    /// Registers again, unless another call did since <paramref name="seen"/> (the registration the caller found stale).
    /// </summary>
    /// <returns>Whether the server took the registration; false when it refused it (the runner is then stopping).</returns>
    /// <exception cref="HttpRequestException">The server could not be reached.</exception>
    public async Task<bool> RegisterAsync(RunnerRegisterReply? seen, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (Current is { } current && !ReferenceEquals(current, seen))
            {
                return true;
            }

            var runner = options.Value;
            var request = new RunnerRegisterRequest(
                string.IsNullOrWhiteSpace(runner.Name) ? null : runner.Name,
                Version,
                [.. runner.Labels.Distinct(StringComparer.Ordinal)],
                runner.Concurrency,
                sshOptions.Value.AdvertiseHost);
            using var reply = await connection.SendOnceAsync(
                new ServerCall(HttpMethod.Post, RunnerHttp.Register, null, RunnerConnection.CallTimeout) { Body = ServerCall.Json(request) },
                cancellationToken);
            if (!reply.Succeeded)
            {
                var reason = reply.Status == HttpStatusCode.Unauthorized ? reply.Problem : $"the registration was refused: {reply.Problem}";
                LogRefused(logger, (int)reply.Status, reason);
                refusal.Refuse(reason);
                return false;
            }

            var registered = await reply.ReadAsync<RunnerRegisterReply>(cancellationToken);
            Volatile.Write(ref _current, registered);
            if (!_announced)
            {
                _announced = true;
                remote.Registered?.Invoke(registered);
            }
            else
            {
                LogRegisteredAgain(logger, registered.Name, connection.Server);
            }

            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    [LoggerMessage(Level = LogLevel.Error, Message = "The server refused this runner (HTTP {Status}): {Reason}")]
    private static partial void LogRefused(ILogger logger, int status, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Registered again as {Name} with {Server}")]
    private static partial void LogRegisteredAgain(ILogger logger, string name, string server);
}
