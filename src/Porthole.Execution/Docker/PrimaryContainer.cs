using Docker.DotNet;
using Docker.DotNet.Models;
using Porthole.Execution.Executors;

namespace Porthole.Execution.Docker;

/// <summary>Execs in a node's primary container: the steps' and the runner's own short commands.</summary>
/// <param name="signalsFromHost">The runner may signal the container's processes from the host (it is root); otherwise the container's own kill ends them.</param>
internal sealed class PrimaryContainer(IDockerClient client, string id, TimeProvider timeProvider, bool? signalsFromHost = null)
{
    /// <summary>Runs a short command and returns its exit code and output (stdout, then stderr).</summary>
    /// <exception cref="ExecutorException">The engine or the container went away meanwhile.</exception>
    public async Task<(int Code, string Output)> RunAsync(IList<string> arguments, string user, CancellationToken cancellationToken)
    {
        var (execId, stream) = await StartAsync(arguments, null, null, user, cancellationToken);
        try
        {
            string text;
            using (stream)
            {
                var (stdout, stderr) = await stream.ReadOutputToEndAsync(cancellationToken);
                text = stdout + stderr;
            }

            var inspected = await client.Exec.InspectContainerExecAsync(execId, cancellationToken);
            return ((int)(inspected.ExitCode ?? -1), text);
        }
        catch (Exception e) when (e is DockerApiException or HttpRequestException or IOException)
        {
            throw new ExecutorException($"A command of the runner's in the container broke off: {Explain(e)}", e);
        }
    }

    /// <summary>Starts an exec with its output attached (no terminal; stdin only when <paramref name="attachStdin"/>).</summary>
    /// <exception cref="ExecutorException">The engine refused it or is gone, or so is the container.</exception>
    public async Task<(string ExecId, MultiplexedStream Stream)> StartAsync(IList<string> arguments, IList<string>? environment, string? directory, string user, CancellationToken cancellationToken, bool attachStdin = false)
    {
        try
        {
            var created = await client.Exec.CreateContainerExecAsync(
                id,
                new ContainerExecCreateParameters
                {
                    Cmd = arguments,
                    Env = environment,
                    WorkingDir = directory!,
                    User = user,
                    AttachStdout = true,
                    AttachStderr = true,
                    AttachStdin = attachStdin,
                },
                cancellationToken);
            var stream = await client.Exec.StartContainerExecAsync(created.ID, new ContainerExecStartParameters(), cancellationToken);
            return (created.ID, stream);
        }
        catch (Exception e) when (e is DockerApiException or HttpRequestException or IOException)
        {
            throw new ExecutorException($"The step could not be started in the container: {Explain(e)}", e);
        }
    }

    /// <summary>
    /// Ends an exec's session, given its leader's pid on the host: as the shell executor ends a step's when the runner
    /// may signal it (root); otherwise by the container's own <c>kill</c>, as root there, with the leader's pid in the
    /// container (its last <c>NSpid</c>).
    /// </summary>
    public async Task EndSessionAsync(int hostPid, TimeSpan grace)
    {
        if (signalsFromHost ?? Environment.IsPrivilegedProcess)
        {
            await new Shell.ProcessTree(timeProvider).EndSessionAsync(hostPid, () => Directory.Exists($"/proc/{hostPid}"), grace);
            return;
        }

        var status = await File.ReadAllLinesAsync($"/proc/{hostPid}/status").ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : [], TaskScheduler.Default);
        var inner = status.FirstOrDefault(l => l.StartsWith("NSpid:", StringComparison.Ordinal))?.Split('\t', ' ').LastOrDefault(w => w.Length > 0);
        if (inner is null || !int.TryParse(inner, System.Globalization.CultureInfo.InvariantCulture, out var pid) || pid <= 1)
        {
            return;
        }

        var seconds = Math.Max(1, (int)grace.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            await RunAsync(["/bin/sh", "-c", "kill -TERM -- -\"$1\" 2>/dev/null; sleep \"$2\"; kill -KILL -- -\"$1\" 2>/dev/null; true", "sh", pid.ToString(System.Globalization.CultureInfo.InvariantCulture), seconds], "0", CancellationToken.None);
        }
        catch (ExecutorException)
        {
            // The container is gone, and the session with it.
        }
    }

    /// <summary>Null while the container runs; otherwise what became of it (removed, stopped), in a few words.</summary>
    public async Task<string?> ProblemAsync()
    {
        try
        {
            var state = (await client.Containers.InspectContainerAsync(id, CancellationToken.None)).State;
            return state?.Running == true ? null : $"the primary container stopped (exit code {state?.ExitCode})";
        }
        catch (DockerContainerNotFoundException)
        {
            return "the primary container was removed";
        }
        catch (Exception e) when (e is DockerApiException or HttpRequestException or IOException)
        {
            return $"the Docker engine does not answer: {DockerEngine.Reason(e)}";
        }
    }

    /// <summary>Why a call failed, and when the primary container is gone (the job removed it, say), that.</summary>
    public static string Explain(Exception exception)
    {
        var reason = DockerEngine.Reason(exception);
        return exception is DockerContainerNotFoundException || reason.Contains("No such container", StringComparison.OrdinalIgnoreCase)
            ? $"the primary container is gone ({reason})"
            : reason;
    }
}
