using Porthole.Execution.Executors;
using Porthole.Ssh.Endpoints;

namespace Porthole.Ssh.Debugging;

/// <summary>
/// Where a debug session's windows find its files (rc, help, the job's environment, the steps' scripts, the ready mark,
/// where the step functions record) and what shell they run. On the shell executor that is the node's SSH folder and
/// the runner's bash; a container's windows enter it through its door (<see cref="SessionEntry.Doorway"/>) and read
/// the files from the node's scratch folder, which the container sees, with the image's shell.
/// </summary>
internal sealed class DebugPlacement
{
    private readonly NodeSshFiles _files;
    private readonly IExecutorNode? _node;

    private DebugPlacement(NodeSshFiles files, IExecutorNode? node, string shell, bool isBash, IReadOnlyList<string> window, bool quiet)
    {
        _files = files;
        _node = node;
        Shell = shell;
        IsBash = isBash;
        WindowEntry = window;
        RecordPath = node is null ? (quiet ? files.DebugRecordPath : files.SessionLogPath) : InNode("debug_record.log");
    }

    /// <summary>The shell of the windows and of the step functions' runner.</summary>
    public string Shell { get; }

    public bool IsBash { get; }

    /// <summary>What a window's shell runs behind (the container's door, with the rc for a plain sh); empty on the host.</summary>
    public IReadOnlyList<string> WindowEntry { get; }

    public string RcPath => _node is null ? _files.DebugRcPath : InNode(RcName);

    public string HelpPath => _node is null ? _files.DebugHelpPath : InNode("debug_help.txt");

    public string EnvironmentPath => _node is null ? _files.EnvironmentPath : InNode("debug_environment.sh");

    public string ReadyPath => _node is null ? _files.DebugReadyPath : InNode("debug_ready");

    /// <summary>Where the step functions record "==> step" and "exited with N".</summary>
    public string RecordPath { get; }

    /// <summary>The record as the runner reads it, when it is not the session's echo (a file of the node's); null otherwise.</summary>
    public string? RecordHostPath => _node is null ? null : _node.HostPathOf(RecordPath);

    public static DebugPlacement For(IExecutorNode node, NodeSshFiles files, SessionEntry entry, string bashPath, bool quiet)
    {
        if (entry.Doorway is not { } doorway)
        {
            return new DebugPlacement(files, null, bashPath, isBash: true, [], quiet);
        }

        // A plain sh reads its rc from ENV (bash gets --rcfile on its command line, see WindowShell).
        string[] rc = entry.ShellIsBash ? [] : ["-e", "ENV=" + InNode(node, RcName)];
        return new DebugPlacement(files, node, entry.Shell ?? bashPath, entry.ShellIsBash, [.. doorway.Door, "-it", "-e", "TERM", .. rc, doorway.Target], quiet);
    }

    /// <summary>A step's file (its script, its variables) as the windows see it.</summary>
    public string StepPath(string name) => _node is null ? Path.Combine(_files.StepsDirectory, name) : InNode("debug_" + name);

    /// <summary>
    /// Where a window asks the runner to run a typed step (<see cref="DebugStepRequests"/>), as the windows see it: a file
    /// the session's account can write. On the shell executor that is the tmux socket's folder, the one folder of the SSH
    /// folder the job's account writes in (a user-namespace sandbox binds it writable); in a container, its scratch folder.
    /// </summary>
    public string RequestPath(string name) => _node is null ? Path.Combine(_files.TmuxDirectory, name) : InNode("debug_" + name);

    /// <summary>A path the windows see, as the runner's host has it.</summary>
    public string HostPathOf(string path) => _node is null ? path : _node.HostPathOf(path);

    /// <summary>
    /// Leaves no request of an earlier session behind: on the host the file is removed (the window makes it); a container's
    /// is made empty and given to the container's user, who cannot make files in the scratch folder.
    /// </summary>
    public async Task ResetRequestAsync(string path, CancellationToken cancellationToken)
    {
        if (_node is null)
        {
            File.Delete(path);
            return;
        }

        await _node.WriteScratchFileAsync(Path.GetFileName(path), string.Empty, cancellationToken);
    }

    /// <summary>The window's shell line after <see cref="WindowEntry"/>: an interactive shell that reads the session's rc.</summary>
    public IReadOnlyList<string> WindowShell => IsBash ? [Shell, "--rcfile", RcPath, "-i"] : [Shell, "-i"];

    /// <summary>Writes a file the windows read (or write: the record) where they see it.</summary>
    public async Task WriteAsync(string path, string content, CancellationToken cancellationToken)
    {
        if (_node is null)
        {
            NodeSshFiles.WriteAtomically(path, content);
            return;
        }

        await _node.WriteScratchFileAsync(Path.GetFileName(path), content, cancellationToken);
    }

    /// <summary>Makes the steps' folder on the host; a node's scratch folder needs none.</summary>
    public void CreateStepsDirectory()
    {
        if (_node is null)
        {
            Directory.CreateDirectory(_files.StepsDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private const string RcName = "debug_rc.sh";

    private string InNode(string name) => InNode(_node!, name);

    private static string InNode(IExecutorNode node, string name) => node.ScratchDirectory.TrimEnd('/') + "/" + name;
}
