using System.Net;
using Microsoft.Extensions.Logging;
using Porthole.Contracts.Runners;
using Porthole.Contracts.Ssh;

namespace Porthole.Runner.Remote;

/// <summary>
/// <see cref="IRunnerProtocol"/> over HTTP (<see cref="RunnerHttp"/>): what a remote runner speaks to its server, so that
/// the agent loop, <see cref="NodeSession"/> and the step handlers behave as they do in-process. It registers before the
/// first lease (and again when the server asks), keeps each leased node's lease token until the node is completed, and
/// maps the server's refusals onto the protocol's own answers: a heartbeat for a node that is no longer this runner's
/// says canceled (the node stops), refused job data is <see cref="BlobUploadOutcome.Refused"/>, null or
/// <see cref="CacheSaveOutcome.Refused"/>, a late completion is dropped (a late runner never writes into a new attempt),
/// any other refusal is an <see cref="InvalidOperationException"/> with the server's reason. The log, step reports,
/// SSH reports and the completion are retried through a server restart for as long as the runner runs; a lease or a
/// heartbeat that cannot reach the server is an <see cref="HttpRequestException"/> (the loop leases again, the node
/// goes on); the job data's calls are retried for <see cref="JobDataPatience"/>.
/// </summary>
public sealed partial class HttpRunnerProtocol(
    RunnerConnection connection,
    RemoteRegistration registration,
    LeaseBook leases,
    RunnerRefusal refusal,
    TimeProvider time,
    ILogger<HttpRunnerProtocol> logger) : IRunnerProtocol
{
    /// <summary>How long a lease call may take: longer than the server's long poll.</summary>
    public static readonly TimeSpan LeaseTimeout = RunnerHttp.LongPoll + TimeSpan.FromSeconds(40);

    public static readonly TimeSpan HeartbeatTimeout = TimeSpan.FromSeconds(15);

    /// <summary>How long a blob window (up to 33 MiB) may take to go up or start coming down.</summary>
    public static readonly TimeSpan BlobTimeout = TimeSpan.FromMinutes(10);

    /// <summary>How long a job-data call keeps being asked while the server does not answer, before the node gives up.</summary>
    public static readonly TimeSpan JobDataPatience = TimeSpan.FromMinutes(2);

    public async Task<NodeAssignment?> LeaseAsync(string runnerName, CancellationToken cancellationToken)
    {
        if (refusal.Reason is not null || !await RegisteredAsync(cancellationToken))
        {
            return await WaitForStopAsync(cancellationToken);
        }

        for (var tries = 0; ; tries++)
        {
            var registered = registration.Current;
            using var reply = await connection.SendOnceAsync(new ServerCall(HttpMethod.Post, RunnerHttp.Lease, null, LeaseTimeout), cancellationToken);
            if (reply.NoContent)
            {
                return null;
            }

            if (reply.Succeeded)
            {
                var assignment = await reply.ReadAsync<NodeAssignment>(cancellationToken);
                leases.Remember(assignment.NodeId, assignment.LeaseToken);
                return assignment;
            }

            if (reply.Status == HttpStatusCode.Unauthorized)
            {
                return await WaitForStopAsync(cancellationToken);
            }

            // A server that lost what it knew of this runner asks it to register again, then lease.
            if (reply.Status == HttpStatusCode.Conflict && tries == 0 && reply.Problem.StartsWith("register first", StringComparison.OrdinalIgnoreCase))
            {
                if (!await registration.RegisterAsync(registered, cancellationToken))
                {
                    return await WaitForStopAsync(cancellationToken);
                }

                continue;
            }

            throw new InvalidOperationException($"The server refused the lease: {reply.Problem}");
        }
    }

    public async Task<HeartbeatReply> HeartbeatAsync(long nodeId, CancellationToken cancellationToken)
    {
        if (leases.TokenOf(nodeId) is null)
        {
            return new HeartbeatReply(Canceled: true);
        }

        using var reply = await connection.SendOnceAsync(new ServerCall(HttpMethod.Post, RunnerHttp.Heartbeat(nodeId), nodeId, HeartbeatTimeout), cancellationToken);
        if (reply.Succeeded)
        {
            return await reply.ReadAsync<HeartbeatReply>(cancellationToken);
        }

        if (reply.NotHeld)
        {
            LogNotHeld(logger, nodeId, "heartbeat", reply.Problem);
            return new HeartbeatReply(Canceled: true);
        }

        throw Refused("heartbeat", reply);
    }

    public async Task<LogAppendResult> AppendLogAsync(long nodeId, long offset, ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken)
    {
        var bytes = chunk.Length > RunnerHttp.MaxLogChunk ? chunk[..RunnerHttp.MaxLogChunk] : chunk;
        var call = new ServerCall(HttpMethod.Put, RunnerHttp.Log(nodeId, offset), nodeId, RunnerConnection.CallTimeout) { Body = () => Octets(bytes) };
        using var reply = await SendHeldAsync(call, cancellationToken);
        if (reply is null || reply.NotHeld)
        {
            // Nobody takes these bytes any more (the node ended or was given up): they are done with, as if stored.
            LogNotHeld(logger, nodeId, "log", reply?.Problem ?? "no lease");
            return new LogAppendResult(LogAppendOutcome.AlreadyStored, offset + bytes.Length);
        }

        return reply.Succeeded ? await reply.ReadAsync<LogAppendResult>(cancellationToken) : throw Refused("log chunk", reply);
    }

    public Task ReportStepAsync(long nodeId, StepReport report, CancellationToken cancellationToken) =>
        ReportAsync(new ServerCall(HttpMethod.Post, RunnerHttp.Step(nodeId), nodeId, RunnerConnection.CallTimeout) { Body = ServerCall.Json(report) }, "step report", cancellationToken);

    public async Task CompleteNodeAsync(long nodeId, NodeCompletion completion, CancellationToken cancellationToken)
    {
        try
        {
            var call = new ServerCall(HttpMethod.Post, RunnerHttp.Complete(nodeId), nodeId, RunnerConnection.CallTimeout) { Body = ServerCall.Json(completion) };
            using var reply = await SendHeldAsync(call, cancellationToken);
            if (reply is null || reply.NotHeld)
            {
                LogLateCompletion(logger, nodeId, completion.Result, reply?.Problem ?? "no lease");
            }
            else if (!reply.Succeeded)
            {
                throw Refused("completion", reply);
            }
        }
        finally
        {
            leases.Forget(nodeId);
        }
    }

    public Task ReportSshEndpointAsync(long nodeId, SshEndpointInfo endpoint, CancellationToken cancellationToken) =>
        ReportAsync(new ServerCall(HttpMethod.Put, RunnerHttp.SshEndpoint(nodeId), nodeId, RunnerConnection.CallTimeout) { Body = ServerCall.Json(endpoint) }, "SSH endpoint", cancellationToken);

    public Task ReportSshEventAsync(long nodeId, SshEvent sshEvent, CancellationToken cancellationToken) =>
        ReportAsync(new ServerCall(HttpMethod.Post, RunnerHttp.SshEvent(nodeId), nodeId, RunnerConnection.CallTimeout) { Body = ServerCall.Json(sshEvent) }, "SSH event", cancellationToken);

    public Task HoldNodeAsync(long nodeId, NodeCompletion held, CancellationToken cancellationToken) =>
        ReportAsync(new ServerCall(HttpMethod.Post, RunnerHttp.Hold(nodeId), nodeId, RunnerConnection.CallTimeout) { Body = ServerCall.Json(held) }, "hold", cancellationToken);

    public Task ReportSshWindowAsync(long nodeId, SshWindow window, CancellationToken cancellationToken) =>
        ReportAsync(new ServerCall(HttpMethod.Put, RunnerHttp.SshWindow(nodeId), nodeId, RunnerConnection.CallTimeout) { Body = ServerCall.Json(window) }, "SSH window", cancellationToken);

    /// <summary>A report the server keeps: sent until it is taken; dropped when the node is no longer this runner's.</summary>
    private async Task ReportAsync(ServerCall call, string what, CancellationToken cancellationToken)
    {
        var nodeId = call.NodeId!.Value;
        using var reply = await SendHeldAsync(call, cancellationToken);
        if (reply is null || reply.NotHeld)
        {
            LogNotHeld(logger, nodeId, what, reply?.Problem ?? "no lease");
        }
        else if (!reply.Succeeded)
        {
            throw Refused(what, reply);
        }
    }

    /// <summary>The call retried until answered, as long as the runner runs; null when the runner holds no lease of the node.</summary>
    private async Task<ServerReply?> SendHeldAsync(ServerCall call, CancellationToken cancellationToken) =>
        leases.TokenOf(call.NodeId!.Value) is null ? null : await connection.SendRetryingAsync(call, cancellationToken);

    private async Task<bool> RegisteredAsync(CancellationToken cancellationToken)
    {
        if (registration.Current is not null)
        {
            return true;
        }

        await registration.EnsureAsync(cancellationToken);
        return registration.Current is not null;
    }

    /// <summary>A refused runner leases nothing: it waits, quietly, for the stop the refusal asked for.</summary>
    private async Task<NodeAssignment?> WaitForStopAsync(CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.InfiniteTimeSpan, time, cancellationToken);
        return null;
    }

    private static InvalidOperationException Refused(string what, ServerReply reply) =>
        new($"The server refused the {what} (HTTP {(int)reply.Status}): {reply.Problem}");

    private static ReadOnlyMemoryContent Octets(ReadOnlyMemory<byte> bytes)
    {
        var content = new ReadOnlyMemoryContent(bytes);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
        return content;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node {NodeId} is no longer this runner's; its {What} was not taken: {Reason}")]
    private static partial void LogNotHeld(ILogger logger, long nodeId, string what, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node {NodeId} ended {Result} here, but the server no longer holds this runner's lease of it (it was given up or ended): {Reason}")]
    private static partial void LogLateCompletion(ILogger logger, long nodeId, NodeResult result, string reason);
}
