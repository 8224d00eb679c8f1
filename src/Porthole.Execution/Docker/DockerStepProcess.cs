using Docker.DotNet;
using Porthole.Execution.Executors;

namespace Porthole.Execution.Docker;

/// <summary>
/// One exec in a node's primary container. Its output (stdout and stderr as the engine sends them, merged) goes to the
/// step's output; it has exited when the engine closes the exec's stream (at once when nothing else holds its output, at
/// the latest about two seconds after, when a daemon it left does) and the engine tells its exit code. An exec is the
/// leader of a session of its own in the container, so stopping it ends that session on the host, as the shell executor
/// ends a step's.
/// </summary>
internal sealed class DockerStepProcess : IStepProcess
{
    private readonly IDockerClient _client;
    private readonly PrimaryContainer _container;
    private readonly string _execId;
    private readonly MultiplexedStream _stream;
    private readonly IStepOutput _output;
    private readonly TimeSpan _grace;
    private readonly TimeProvider _timeProvider;
    private readonly Lock _gate = new();
    private Task? _stopped;

    public DockerStepProcess(IDockerClient client, PrimaryContainer container, string execId, MultiplexedStream stream, IStepOutput output, TimeSpan grace, TimeProvider timeProvider)
    {
        _client = client;
        _container = container;
        _execId = execId;
        _stream = stream;
        _output = output;
        _grace = grace;
        _timeProvider = timeProvider;
        Exited = RunAsync();
    }

    /// <summary>The exec's process id on the runner's host, once <see cref="StopAsync"/> has asked the engine for it.</summary>
    public int Id { get; private set; }

    public Task<int> Exited { get; }

    public Task StopAsync()
    {
        lock (_gate)
        {
            _stopped ??= StopOnceAsync();
            return _stopped;
        }
    }

    private async Task<int> RunAsync()
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var read = await _stream.ReadOutputAsync(buffer, 0, buffer.Length, CancellationToken.None);
                if (read.EOF)
                {
                    break;
                }

                await _output.WriteAsync(buffer.AsMemory(0, read.Count), CancellationToken.None);
            }
        }
        catch (Exception e) when (e is IOException or HttpRequestException or ObjectDisposedException)
        {
            throw new ExecutorException($"The Docker engine went away during the step (its output broke off: {PrimaryContainer.Explain(e)}).", e);
        }
        finally
        {
            _stream.Dispose();
        }

        try
        {
            var inspected = await _client.Exec.InspectContainerExecAsync(_execId, CancellationToken.None);
            if (inspected.Running || inspected.ExitCode is null)
            {
                // The stream ended, the step did not: the engine cut its clients (a restart), or the container went with it.
                throw new ExecutorException(await _container.ProblemAsync() is { } gone
                    ? $"The step ended with its container: {gone}"
                    : "The Docker engine went away during the step (it closed the step's output while the step still ran).");
            }

            var code = (int)inspected.ExitCode.Value;
            if (code != 0 && await ContainerProblemAsync(code) is { } problem)
            {
                // Killed with its container (the job removed it, or the engine stopped it): not the step's own failure.
                throw new ExecutorException($"The step ended with its container: {problem}");
            }

            return code;
        }
        catch (Exception e) when (e is DockerApiException or HttpRequestException or IOException)
        {
            throw new ExecutorException($"The Docker engine went away during the step (its exit code could not be read: {PrimaryContainer.Explain(e)}).", e);
        }
    }

    /// <summary>
    /// What became of the container, when a step failed. A signal's exit code (a container removed kills with SIGKILL)
    /// is asked about a few times: the engine may still call the container running for an instant.
    /// </summary>
    private async Task<string?> ContainerProblemAsync(int code)
    {
        for (var attempt = 0; ; attempt++)
        {
            if (await _container.ProblemAsync() is { } problem)
            {
                return problem;
            }

            if (code < 128 || attempt == 5)
            {
                return null;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), _timeProvider);
        }
    }

    private async Task StopOnceAsync()
    {
        if (Exited.IsCompleted)
        {
            return;
        }

        long pid;
        try
        {
            var inspected = await _client.Exec.InspectContainerExecAsync(_execId, CancellationToken.None);
            if (!inspected.Running)
            {
                return;
            }

            pid = inspected.Pid;
        }
        catch (Exception e) when (e is DockerApiException or HttpRequestException or IOException)
        {
            // The engine is gone, or the container: either way the exec ended with it.
            return;
        }

        if (pid > 0 && pid <= int.MaxValue)
        {
            Id = (int)pid;
            await _container.EndSessionAsync(Id, _grace);
        }
    }
}
