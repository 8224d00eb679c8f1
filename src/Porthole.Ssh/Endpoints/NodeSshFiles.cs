using System.Globalization;
using System.Text;
using Porthole.Execution.Processes;
using Porthole.Execution.Sandbox;

namespace Porthole.Ssh.Endpoints;

/// <summary>
/// The files of one node's sshd, in a folder of their own outside the job's working directory: the config, the
/// authorized keys with their forced command, the attach script, the job's environment for sessions (secrets: mode
/// 600), the audit log that the attach script appends to, the script that runs sshd, and the sessions' recordings.
/// </summary>
internal sealed class NodeSshFiles
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public NodeSshFiles(string directory)
    {
        if (!Path.IsPathRooted(directory) || directory.IndexOfAny(['"', '\n', '\r', '\\']) >= 0)
        {
            throw new ArgumentException($"The node's SSH folder must be an absolute path without quotes, backslashes or line breaks: '{directory}'.");
        }

        Directory = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
    }

    public string Directory { get; }

    public string ConfigPath => Path.Combine(Directory, "sshd_config");

    public string AuthorizedKeysPath => Path.Combine(Directory, "authorized_keys");

    public string AttachScriptPath => Path.Combine(Directory, "attach.sh");

    public string SessionRcPath => Path.Combine(Directory, "session_rc.sh");

    public string EnvironmentPath => Path.Combine(Directory, "environment.sh");

    public string AuditPath => Path.Combine(Directory, "audit.log");

    public string SupervisorPath => Path.Combine(Directory, "run_sshd.sh");

    /// <summary>The debug session's tmux socket: in this folder, or in the temp folder when this folder's path is too long for a socket.</summary>
    public string TmuxSocketPath
    {
        get
        {
            var local = Path.Combine(TmuxDirectory, "tmux.sock");
            if (local.Length <= 100)
            {
                return local;
            }

            var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(Directory)))[..16];
            return Path.Combine(Path.GetTempPath(), $"porthole-tmux-{hash}.sock");
        }
    }

    /// <summary>The folder of the tmux socket: the job account's, which runs the debug session's tmux server.</summary>
    public string TmuxDirectory => Path.Combine(Directory, "tmux");

    /// <summary>
    /// Where the sessions' recordings are written (R-BEY-2, <see cref="Recording.SessionRecordings"/>): the session account's
    /// folder, as the tmux folder is.
    /// </summary>
    public string RecordingsDirectory => Path.Combine(Directory, "recordings");

    public string TmuxConfigPath => Path.Combine(Directory, "debug_tmux.conf");

    public string DebugRcPath => Path.Combine(Directory, "debug_rc.sh");

    public string DebugHelpPath => Path.Combine(Directory, "debug_help.txt");

    /// <summary>What the debug session's panes show (tmux pipe-pane), when the session is not quiet.</summary>
    public string SessionLogPath => Path.Combine(Directory, "debug_session.log");

    /// <summary>The lines the step functions and the attach script record for the job's log (<c>==> travis_run_script</c>, joins).</summary>
    public string DebugRecordPath => Path.Combine(Directory, "debug_record.log");

    /// <summary>Made once the session's output is piped to the log: the first window waits for it before it prints its help.</summary>
    public string DebugReadyPath => Path.Combine(Directory, "debug_ready");

    /// <summary>A debug run open to anyone with its command (R-DBG-7): the token the attach script asks of such a connection.</summary>
    public string DebugTokenPath => Path.Combine(Directory, "debug_token");

    public string StepsDirectory => Path.Combine(Directory, "steps");

    /// <summary>
    /// Makes the folder. For a node whose processes run as a job account (a root runner), the folder stays the runner's
    /// but its group is the account's (set-group-id, so every file written in it is readable by the group, see
    /// <see cref="WriteAtomically"/>), and the files the job account's processes write (the audit log, the debug session's
    /// logs, the tmux socket's folder, the recordings folder) are made beforehand and given to it: it can write them, and can neither replace
    /// nor add any file, so nothing the runner reads here can be a link to a file of the runner's.
    /// </summary>
    public void CreateDirectory(NodeAccount? account = null)
    {
        System.IO.Directory.CreateDirectory(Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        System.IO.Directory.CreateDirectory(TmuxDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        System.IO.Directory.CreateDirectory(RecordingsDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (account is null)
        {
            return;
        }

        FileOwnership.Give(Directory, 0, account.Gid);
        File.SetUnixFileMode(Directory, UnixFileMode.SetGroup | UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        FileOwnership.Give(TmuxDirectory, account.Uid, account.Gid);
        FileOwnership.Give(RecordingsDirectory, account.Uid, account.Gid);
        System.IO.Directory.CreateDirectory(StepsDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        foreach (var path in new[] { AuditPath, SessionLogPath, DebugRecordPath })
        {
            using (new FileStream(path, new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.Write, UnixCreateMode = Private }))
            {
            }

            FileOwnership.Give(path, account.Uid, account.Gid);
        }
    }

    /// <summary>
    /// Writes a file through a temporary file and a rename: readers never see half of it. It is readable by its owner
    /// only, and by the folder's group when the folder is shared with a job account (set-group-id); a file it replaces
    /// keeps its owner and mode (one the job account writes stays its). Emptying a file truncates it where it is.
    /// </summary>
    public static void WriteAtomically(string path, string content)
    {
        if (content.Length == 0 && File.Exists(path) && FileOwnership.OwnersOf(path) is not null && !File.GetAttributes(path).HasFlag(FileAttributes.ReparsePoint))
        {
            // Emptied in place: the file may be mounted into the node's sandbox, which would keep seeing a replaced one.
            using var emptied = new FileStream(path, FileMode.Truncate, FileAccess.Write);
            return;
        }

        var temporary = $"{path}.{Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture)}.tmp";
        try
        {
            var shared = File.GetUnixFileMode(Path.GetDirectoryName(path)!).HasFlag(UnixFileMode.SetGroup);
            using (var stream = new FileStream(temporary, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = shared ? Private | UnixFileMode.GroupRead : Private,
            }))
            {
                stream.Write(new UTF8Encoding(false).GetBytes(content));
                stream.Flush(flushToDisk: false);
            }

            if (FileOwnership.OwnersOf(path) is { } owners && File.GetUnixFileMode(path) is var mode)
            {
                if (FileOwnership.IsRoot)
                {
                    FileOwnership.Give(temporary, (int)owners.Uid, (int)owners.Gid);
                }

                File.SetUnixFileMode(temporary, mode);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    public void CreateEmptyAuditLog()
    {
        using var stream = new FileStream(AuditPath, new FileStreamOptions
        {
            Mode = FileMode.OpenOrCreate,
            Access = FileAccess.Write,
            UnixCreateMode = Private,
        });
    }
}
