namespace Porthole.Execution.Sandbox;

/// <summary>
/// How a runner keeps its jobs from the server and from each other (decision 9). With <see cref="Sandboxed"/>, every
/// node gets a bubblewrap sandbox of its own: a PID namespace that nothing started in it can leave (its end kills every
/// process in it), a mount namespace in which <see cref="HiddenPaths"/> (the data folder) are empty and only the node's
/// own workspace is put back, and a private <c>/tmp</c>. A root runner runs the node's processes as
/// <see cref="Account"/>; a runner of an ordinary account runs them in a user namespace (as root there, without
/// capabilities). <see cref="Warning"/> is said at the runner's start and at the top of every job's log.
/// </summary>
public sealed record JobIsolation
{
    /// <summary>No sandbox and no other account: the behaviour of a shell executor made without a runner (tests of the executor itself).</summary>
    public static JobIsolation Unisolated { get; } = new();

    public bool Sandboxed { get; init; }

    /// <summary>Root runner: the account steps and sessions run as. Null: the runner's own account.</summary>
    public NodeAccount? Account { get; init; }

    /// <summary>A runner of an ordinary account: the sandbox is a user namespace of that account.</summary>
    public bool UserNamespace { get; init; }

    /// <summary>Folders no job sees (empty in the sandbox): the data folder, the runner account's home.</summary>
    public IReadOnlyList<string> HiddenPaths { get; init; } = [];

    /// <summary>Files under a hidden folder that the node's runner-account processes (its sshd) read: the SSH host key.</summary>
    public IReadOnlyList<string> RunnerReadOnlyPaths { get; init; } = [];

    /// <summary>Set when the node cannot run as the runner is set up (a root runner without a sandbox): every node then fails with it.</summary>
    public string? Refusal { get; init; }

    /// <summary>What jobs can reach that they should not, said at start and in every job's log; null when nothing.</summary>
    public string? Warning { get; init; }

    public string BwrapPath { get; init; } = "/usr/bin/bwrap";

    public string NsenterPath { get; init; } = "/usr/bin/nsenter";

    public string SetprivPath { get; init; } = "/usr/bin/setpriv";

    public string EnvPath { get; init; } = "/usr/bin/env";


    /// <summary>One line for the runner's log: what this isolation is.</summary>
    public string Describe() =>
        Refusal is not null ? $"jobs cannot run: {Refusal}"
        : !Sandboxed ? "jobs run without a sandbox, as the runner's own account"
        : Account is not null ? $"jobs run as {Account.Name} (uid {Account.Uid}) in a sandbox per node (PID and mount namespaces; the data folder hidden)"
        : UserNamespace ? "jobs run in a user namespace per node (PID and mount namespaces; the data folder hidden), without capabilities"
        : "jobs run as root in a sandbox per node (PID and mount namespaces; the data folder hidden)";
}
