namespace Porthole.Execution.Docker;

/// <summary>How <c>setup_remote_docker</c> gives a job's primary container a Docker engine.</summary>
public enum RemoteDockerMode
{
    /// <summary>It does not: the step fails and names the setting.</summary>
    Off,

    /// <summary>The host's engine socket is mounted into the primary container: root-equivalent on the runner's host.</summary>
    HostSocket,
}

/// <summary>The docker executor's settings (the runner's <c>Runner:Docker</c> section).</summary>
public sealed record DockerSettings
{
    /// <summary>The Docker engine's API: a unix socket on the runner's host (the executor bind-mounts the node's folders).</summary>
    public Uri Endpoint { get; init; } = new("unix:///var/run/docker.sock");

    /// <summary>Runs every docker job on the shell executor instead (for hosts without Docker); the job's log says so.</summary>
    public bool RunOnShell { get; init; }

    public RemoteDockerMode RemoteDocker { get; init; } = RemoteDockerMode.Off;

    /// <summary>Where the primary container sees the node's scratch folder (step scripts, BASH_ENV).</summary>
    public const string ScratchMount = "/tmp/porthole";

    /// <summary>The path of the engine's socket on the host, for <see cref="RemoteDockerMode.HostSocket"/>.</summary>
    public string SocketPath => Endpoint.IsUnixSocket() ? Endpoint.AbsolutePath : "/var/run/docker.sock";
}

internal static class UriExtensions
{
    public static bool IsUnixSocket(this Uri uri) => uri.Scheme == "unix";
}
