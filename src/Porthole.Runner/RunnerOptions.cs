using System.ComponentModel.DataAnnotations;

namespace Porthole.Runner;

/// <summary>Settings of a runner (built-in or remote), validated at start.</summary>
public sealed class RunnerOptions
{
    public const string Section = "Runner";

    /// <summary>How many nodes run at once.</summary>
    [Range(1, 256)]
    public int Concurrency { get; set; } = Math.Max(4, Environment.ProcessorCount * 2);

    /// <summary>The name the runners list shows for this runner; empty: the machine's name and <c>-builtin</c> for the built-in runner.</summary>
    [RegularExpression("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", ErrorMessage = "Runner:Name is letters, digits, '.', '_' and '-' (at most 64), starting with a letter or digit.")]
    public string? Name { get; set; }

    /// <summary>
    /// What jobs this runner can take, as the runners list shows them (<c>Runner:Labels:0=linux</c>, …); none by default.
    /// Each is letters, digits, '.', '_', ':', '/' and '-' (at most 64).
    /// </summary>
    public IList<string> Labels { get; } = new List<string>();

    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How often spooled log bytes are sent to the server (live readers see a line within this, plus a read).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:05")]
    public TimeSpan LogFlushInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan DefaultNoOutputTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Each node gets a fresh folder below this one, removed when the node ends.</summary>
    [Required]
    public string WorkspaceDirectory { get; set; } = "./data/workspaces";

    /// <summary>Which nodes run now and their process tags, for the cleanup after a crash.</summary>
    [Required]
    public string StateDirectory { get; set; } = "./data/runner";

    /// <summary>The data folder the runner's folders are in: no job sees it (the sandbox hides it).</summary>
    public string? DataDirectory { get; set; }

    /// <summary>
    /// The account a root runner runs jobs and SSH sessions as (the login in the ssh command); made when missing.
    /// </summary>
    [Required]
    [RegularExpression("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}$")]
    public string JobAccount { get; set; } = "porthole";

    /// <summary>
    /// A root runner runs jobs as root instead of <see cref="JobAccount"/>. Off by default: a job as root can read the
    /// server's database and tokens, whatever the sandbox hides.
    /// </summary>
    public bool RunJobsAsRoot { get; set; }

    /// <summary>The docker executor (<c>Runner:Docker:…</c>).</summary>
    public RunnerDockerOptions Docker { get; set; } = new();

    /// <summary>
    /// The image table (<see cref="ImageTable"/>): the image that serves a Travis language version or service on this
    /// runner, by <c>"&lt;name&gt; &lt;version&gt;"</c> or <c>"&lt;name&gt;"</c> for any version, e.g.
    /// <c>Runner:Images:python 3.8 = registry.example/python:3.8</c>, <c>Runner:Images:redis = redis:7</c>. A choice not
    /// in it runs in its official image; one without an official image (<c>ruby ruby-head</c>) runs only once mapped here.
    /// </summary>
    public Dictionary<string, string> Images { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Log bytes wait here until the server has stored them.</summary>
    [Required]
    public string SpoolDirectory { get; set; } = "./data/spool";
}

/// <summary>The docker executor's settings (<c>Runner:Docker</c>).</summary>
public sealed class RunnerDockerOptions
{
    /// <summary>The engine's API, a unix socket on the runner's host.</summary>
    [Required]
    public string Endpoint { get; set; } = "unix:///var/run/docker.sock";

    /// <summary>Runs docker jobs on the shell executor (hosts without Docker); each such job's log says so at its top.</summary>
    public bool RunOnShell { get; set; }

    /// <summary>
    /// How <c>setup_remote_docker</c> gives a job an engine: <c>off</c> (the step fails, naming this setting) or
    /// <c>host-socket</c> (the host's engine socket is mounted into the primary container: root-equivalent on this host).
    /// </summary>
    [Required]
    [RegularExpression("^(off|host-socket)$", ErrorMessage = "Runner:Docker:RemoteDocker is off or host-socket.")]
    public string RemoteDocker { get; set; } = "off";

    public Execution.Docker.DockerSettings ToSettings() => new()
    {
        Endpoint = new Uri(Endpoint),
        RunOnShell = RunOnShell,
        RemoteDocker = RemoteDocker == "host-socket" ? Execution.Docker.RemoteDockerMode.HostSocket : Execution.Docker.RemoteDockerMode.Off,
    };
}
