namespace Porthole.Execution.Executors;

/// <summary>
/// What an SSH session's forced command asks of the node it enters (<see cref="IExecutorNode.SessionEntryAsync"/>).
/// </summary>
/// <param name="Directory">The job's working directory, as the node sees it.</param>
/// <param name="Environment">The job's environment, which every session starts with (secrets included).</param>
/// <param name="SessionRc">A shell script an interactive session sources at its first prompt (the environment again, after a login's profile, and BASH_ENV).</param>
/// <param name="SshDirectory">The node's SSH folder on the runner's host, where the node may put what the sessions use to enter it.</param>
/// <param name="Account">The account sessions log in as on the host, when it is not the runner's: what the entry gives them must be theirs to use.</param>
/// <param name="Carried">Variables each session sets on the host side (its own id) that its processes in the node must carry too, by which the endpoint finds and ends them.</param>
public sealed record SessionEntryRequest(
    string Directory,
    IReadOnlyDictionary<string, string> Environment,
    string SessionRc,
    string SshDirectory,
    Sandbox.NodeAccount? Account,
    IReadOnlyList<string> Carried);

/// <summary>
/// How an SSH session's program gets into the node: the argv it runs behind (<see cref="Command"/>, or
/// <see cref="TerminalCommand"/> when the client has a terminal), and which programs of the node it runs.
/// </summary>
/// <param name="Command">Before the session's program without a terminal; empty when sshd runs in the node already.</param>
/// <param name="TerminalCommand">The same with a terminal.</param>
public sealed record SessionEntry(IReadOnlyList<string> Command, IReadOnlyList<string> TerminalCommand)
{
    /// <summary>The node's shell for sessions; null: the runner's bash (the shell executor's node is the host).</summary>
    public string? Shell { get; init; }

    /// <summary>Whether <see cref="Shell"/> is bash (its options differ from a plain sh's).</summary>
    public bool ShellIsBash { get; init; } = true;

    /// <summary>The node's SFTP server (scp and sftp); null: the runner's. Empty when the node has none (<see cref="SftpMissing"/> says).</summary>
    public string? SftpServer { get; init; }

    /// <summary>Why scp and sftp cannot work in this node, in one line; null when they can.</summary>
    public string? SftpMissing { get; init; }

    /// <summary>The session rc as the node's shell finds it, when the node keeps its own copy (a container); null: the SSH folder's.</summary>
    public string? SessionRcPath { get; init; }

    /// <summary>
    /// For a node entered through a door (a container): the command up to its options (<c>docker -H … exec</c>) and what
    /// it enters (the container), so that other terminals of the node (a debug session's windows) can be made with
    /// options of their own; null for a node whose sessions need none.
    /// </summary>
    public (IReadOnlyList<string> Door, string Target)? Doorway { get; init; }

    /// <summary>
    /// The node's own addresses, as its sshd can reach them, that local port forwarding may open when the project allows it
    /// (R-BEY-5): the loopback of the shell executor's node (the runner's host, which its sessions reach anyway); a
    /// container's address on its node's network. Empty: this node cannot forward.
    /// </summary>
    public IReadOnlyList<string> ForwardHosts { get; init; } = ["127.0.0.1", "localhost"];

    /// <summary>
    /// A process of the runner's host in the node's own network namespace (a container's first process), when the node has
    /// one: a root runner starts the node's sshd in it (<see cref="StepLaunch.NetworkNamespace"/>), so that a forward to
    /// the node's loopback reaches the node's, not the host's. Null: the node shares the host's network (the shell executor).
    /// </summary>
    public int? NetworkNamespaceProcess { get; init; }
}
