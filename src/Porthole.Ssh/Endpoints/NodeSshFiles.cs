using System.Globalization;
using System.Text;

namespace Porthole.Ssh.Endpoints;

/// <summary>
/// The files of one node's sshd, in a folder of their own outside the job's working directory: the config, the
/// authorized keys with their forced command, the attach script, the job's environment for sessions (secrets: mode
/// 600), the audit log that the attach script appends to, and the script that runs sshd.
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
            var local = Path.Combine(Directory, "tmux.sock");
            if (local.Length <= 100)
            {
                return local;
            }

            var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(Directory)))[..16];
            return Path.Combine(Path.GetTempPath(), $"porthole-tmux-{hash}.sock");
        }
    }

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

    public void CreateDirectory() =>
        System.IO.Directory.CreateDirectory(Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

    /// <summary>Writes a file readable by its owner only, through a temporary file and a rename: readers never see half of it.</summary>
    public static void WriteAtomically(string path, string content)
    {
        var temporary = $"{path}.{Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture)}.tmp";
        try
        {
            using (var stream = new FileStream(temporary, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = Private,
            }))
            {
                stream.Write(new UTF8Encoding(false).GetBytes(content));
                stream.Flush(flushToDisk: false);
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
