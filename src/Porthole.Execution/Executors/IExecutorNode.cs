namespace Porthole.Execution.Executors;

/// <summary>
/// One node's environment, prepared by <see cref="IExecutor.SetupAsync"/>. Paths are as the step's processes see them.
/// Disposing it is <see cref="DestroyAsync"/>.
/// </summary>
public interface IExecutorNode : IAsyncDisposable
{
    /// <summary>The home folder of the steps (<c>~</c>, <c>HOME</c>).</summary>
    string HomeDirectory { get; }

    /// <summary>The node's scratch folder: step scripts and the runner's own files, outside every working directory.</summary>
    string ScratchDirectory { get; }

    /// <summary>
    /// The account the node's processes run as when it is not the runner's own (a root runner's job account): SSH
    /// sessions log in as it, and files the node's processes must own are given to it. Null: the runner's account.
    /// </summary>
    Sandbox.NodeAccount? Account { get; }

    /// <summary>What the node's processes can reach that they should not (no sandbox, or root), for the top of the job's log; null when nothing.</summary>
    string? IsolationWarning { get; }

    /// <summary>
    /// The argv an SSH session's program runs behind to be inside the node (its sandbox), when the node's sshd is outside
    /// it; empty otherwise.
    /// </summary>
    IReadOnlyList<string> SessionEntry(string directory);

    /// <summary>
    /// How an SSH session enters this node: for the shell executor, behind <see cref="SessionEntry(string)"/>; for a
    /// container, through a door the node opens for the sessions only (its primary container, as its user, with the job's
    /// environment). Called once per SSH endpoint, before its sshd listens.
    /// </summary>
    /// <exception cref="ExecutorException">The node cannot be entered (its container is gone, say).</exception>
    Task<SessionEntry> SessionEntryAsync(SessionEntryRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var entry = SessionEntry(request.Directory);
        return Task.FromResult(new SessionEntry(entry, entry));
    }

    /// <summary>
    /// Where the runner's own programs for this node run (an SSH endpoint's sshd and tmux) and its SSH folder lives: the
    /// node itself on the shell executor; a sandbox on the runner's host beside a docker node's containers.
    /// </summary>
    IExecutorNode Host => this;

    /// <summary>A path of the node (in its scratch folder, say) as the runner's host has it: the same path but for a container's.</summary>
    string HostPathOf(string path) => path;

    /// <summary>
    /// Where the checkout clones a repository from: a copy the node's account can read of a local one (once it is made),
    /// or the URL itself.
    /// </summary>
    ValueTask<string> CheckoutSourceAsync(string repositoryUrl, CancellationToken cancellationToken);

    /// <summary>
    /// The shell line a step runs with, given the config's (<see cref="Steps.ShellCommandLine.Default"/> when it names none):
    /// an image without bash gets <c>/bin/sh -eo pipefail</c> instead of the default, as on CircleCI.
    /// </summary>
    string StepShell(string shell) => shell;

    /// <summary>The <c>DOCKER_HOST</c> that <c>setup_remote_docker</c> gives the steps after it; null when it gives none.</summary>
    string? RemoteDockerHost => null;

    /// <summary>Why <c>setup_remote_docker</c> fails here (naming the setting that would allow it), when <see cref="RemoteDockerHost"/> is null.</summary>
    string RemoteDockerRefusal => "setup_remote_docker gives a docker job a Docker engine; this job runs on the shell executor.";

    /// <summary>The variables every process starts with, before the job's own: PATH, LANG, HOME, USER, SHELL and the like.</summary>
    IReadOnlyDictionary<string, string> BaseEnvironment { get; }

    /// <summary>
    /// Turns a directory from a config (<c>~/project</c>, <c>/go/src/x</c>, <c>sub</c>) into the path the steps use;
    /// a relative path is relative to <paramref name="baseDirectory"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The path leaves the node's environment.</exception>
    string ResolveDirectory(string path, string baseDirectory);

    /// <summary>Creates a directory (and its parents) if it does not exist.</summary>
    ValueTask CreateDirectoryAsync(string path, CancellationToken cancellationToken);

    /// <summary>Tells whether a file or directory exists.</summary>
    ValueTask<bool> ExistsAsync(string path, CancellationToken cancellationToken);

    /// <summary>
    /// Writes a file into the node's scratch folder, which is outside every working directory and readable
    /// by the steps only; returns its path.
    /// </summary>
    ValueTask<string> WriteScratchFileAsync(string name, string content, CancellationToken cancellationToken);

    /// <summary>
    /// Starts one process, in a process group of its own, with exactly the given environment, stdin empty and
    /// stdout and stderr merged into <paramref name="output"/>. Nothing here is particular to steps: no timeout and
    /// no log, so a long-lived process (an sshd a section starts, whose output the section parses) runs until its owner
    /// calls <see cref="IStepProcess.StopAsync"/> or the node is destroyed.
    /// </summary>
    /// <exception cref="ExecutorException">The process could not be started (its program is missing, say).</exception>
    Task<IStepProcess> StartAsync(StepLaunch launch, IStepOutput output, CancellationToken cancellationToken);

    /// <summary>Ends every process this node started, and whatever they left behind. Safe to call more than once.</summary>
    ValueTask DestroyAsync();
}
