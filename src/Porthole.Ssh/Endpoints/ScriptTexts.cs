using Porthole.Contracts.Ssh;
using Porthole.Execution.Executors;
using Porthole.Ssh.Debugging;

namespace Porthole.Ssh.Endpoints;

/// <summary>The bash scripts of a node's sshd: the attach script (every session's forced command) and its helpers.</summary>
internal static class ScriptTexts
{
    /// <summary>The variable that marks every process of every session of one endpoint (and that names one session).</summary>
    public const string EndpointVariable = "PORTHOLE_SSH_ENDPOINT";

    public const string SessionVariable = "PORTHOLE_SSH_SESSION";

    /// <summary>
    /// The forced command of every key: checks the key is still granted, writes the audit line, loads the job's
    /// environment, goes to the working directory and runs what the user asked for (R-SSH-5, R-SSH-6). Its third argument
    /// is the key's comma-separated flags (<see cref="AuthorizedKeysText"/>). A read-only key (<c>ro</c>, in its forced
    /// command or in its authorized_keys line now) only watches a debug session, whatever the client asks; on any other node
    /// it is refused (R-DBG-7). A <c>web</c> key's sessions are audited as coming from the browser terminal (R-WEB-2).
    /// </summary>
    /// <param name="tmuxPath">For a debug node: the tmux that every login and <c>watch</c> attaches to (R-DBG-3); null otherwise.</param>
    /// <param name="entry">How a session's program enters the node (<c>IExecutorNode.SessionEntryAsync</c>): nothing when sshd runs in it; a container's door.</param>
    /// <param name="record">Whether interactive sessions that can type are recorded (R-BEY-2, <see cref="Recorded"/>).</param>
    /// <param name="noticePath">The lifecycle's notice file as the runner's host has it (<see cref="SessionCommands.HostNoticePath"/>), for <see cref="Notifier"/>.</param>
    public static string Attach(
        NodeSshFiles files, string workingDirectory, string endpointId, string bashPath, string sftpServerPath, string? tmuxPath = null, SessionEntry? entry = null, bool record = false, string? noticePath = null) => $$"""
        #!/bin/bash
        # Porthole: the forced command of every key of this node (see authorized_keys). $1 is the key's owner, $2 its
        # fingerprint, $3 its flags, comma-separated: ro for a key that may only watch a debug session, web for the key of
        # a browser terminal, open for any key let in by a debug run open to anyone with its ssh command (sshd_config's
        # AuthorizedKeysCommand).
        user=$1
        fingerprint=$2
        read_only=0
        via={{SshVia.Ssh}}
        open_access=0
        IFS=, read -r -a flags <<< "${3-}"
        for flag in "${flags[@]}"; do
          case $flag in
            {{AuthorizedKeysText.ReadOnlyFlag}}) read_only=1 ;;
            {{AuthorizedKeysText.WebFlag}}) via={{SshVia.Web}} ;;
            {{AuthorizedKeysText.OpenAccessFlag}}) open_access=1 ;;
          esac
        done
        keys=$(< {{ShellQuote.Single(files.AuthorizedKeysPath)}})
        if [ "$open_access" = 1 ]; then
          # Any key: the connection must have sent the run's token (R-DBG-7's opt-in); the token file is there only then.
          token=
          if [ -r {{ShellQuote.Single(files.DebugTokenPath)}} ]; then token=$(< {{ShellQuote.Single(files.DebugTokenPath)}}); fi
          if [ -z "$token" ] || [ "${{{DebugRequest.TokenVariable}}-}" != "$token" ]; then
            echo "Porthole: this key is not one of the keys accepted on this node. This debug session also lets in anyone with its whole ssh command, which sends the session's token (ssh -o SetEnv={{DebugRequest.TokenVariable}}=...): ask whoever started it for that command." >&2
            exit 1
          fi
        # The key's line as it is now decides too: a key made read-only since sshd read its line only watches.
        elif [[ $keys =~ " $fingerprint"(" "([a-z,]+))?\" ]]; then
          case ,${BASH_REMATCH[2]}, in *,{{AuthorizedKeysText.ReadOnlyFlag}},*) read_only=1 ;; esac
        else
          echo "Porthole: access to this node with this key has been revoked." >&2
          exit 1
        fi
        unset token {{DebugRequest.TokenVariable}}
        command=${SSH_ORIGINAL_COMMAND-}
        {{(tmuxPath is null ? string.Empty : "if [ \"$command\" = watch ]; then read_only=1; fi")}}
        mode=rw
        if [ "$read_only" = 1 ]; then mode=ro; fi
        logged=${command//\\/\\\\}
        logged=${logged//$'\t'/\\t}
        logged=${logged//$'\n'/\\n}
        logged=${logged//$'\r'/\\r}
        read -r client_address client_port _ <<< "${SSH_CONNECTION-}"
        printf 'start\t%(%s)T\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' -1 "$user" "$fingerprint" "$client_address" "$client_port" "$$" "$PPID" "$logged" "$mode" "$via" >> {{ShellQuote.Single(files.AuditPath)}}
        if [ "$read_only" = 1 ]; then
        {{(tmuxPath is null ? ReadOnlyRefused : ReadOnlyDebugOnly)}}
        fi
        . {{ShellQuote.Single(files.EnvironmentPath)}}
        export {{SessionVariable}}={{endpointId}}-$$
        cd -- {{ShellQuote.Single(workingDirectory)}} 2>/dev/null || cd -- "$HOME" 2>/dev/null || cd /
        {{(tmuxPath is null ? string.Empty : DebugAttach(files, tmuxPath, bashPath))}}
        case $command in
          '')
            if [ -t 0 ]; then
              # A login shell reads /etc/profile (which resets PATH) and ~/.profile; the job's environment and what the
              # steps left in BASH_ENV go on top of them, at the first prompt.
              export PORTHOLE_SSH_RC={{ShellQuote.Single(files.SessionRcPath)}}
              export PROMPT_COMMAND='unset PROMPT_COMMAND; . "$PORTHOLE_SSH_RC"; unset PORTHOLE_SSH_RC'
        {{(entry?.ShellIsBash == false && noticePath is not null ? Notifier(noticePath) : string.Empty)}}
              {{Recorded(files, bashPath, record, $"{Entry(entry?.TerminalCommand)}{Shell(entry, bashPath)} {(entry?.ShellIsBash == false ? "-l" : "--login")}")}}
            fi
            exec {{Entry(entry?.Command)}}{{Shell(entry, bashPath)}} {{(entry?.ShellIsBash == false ? "-s" : "--norc -s")}} ;;
          internal-sftp)
        {{Sftp(entry, sftpServerPath)}} ;;
          *)
            # Non-interactive, as the steps ran: bash sources BASH_ENV itself. Without --norc, a bash that sees it runs
            # under sshd (SSH_CLIENT, SHLVL 1) would read ~/.bashrc instead of BASH_ENV.
            exec {{Entry(entry?.Command)}}{{Shell(entry, bashPath)}} {{(entry?.ShellIsBash == false ? "-c" : "--norc -c")}} "$command" ;;
        esac

        """;

    /// <summary>
    /// Execs <paramref name="command"/> (shell words, quoted); with <paramref name="record"/>, under util-linux <c>script</c>,
    /// which gives it a pty of its own and logs what that pty shows and what is typed into it, with timings, in the
    /// recordings folder as <c>PID-MICROSECONDS.io</c> and <c>.tm</c> (PID the attach script's, as its audit line says:
    /// <see cref="Recording.SessionRecordings"/>). <c>-f</c> writes every read at once: a session killed at the node's end
    /// keeps what it showed. <c>script -c</c> runs the command with <c>$SHELL</c>, hence bash's path there.
    /// </summary>
    private static string Recorded(NodeSshFiles files, string bashPath, bool record, string command) =>
        !record
            ? "exec " + command
            : $$"""
              recording={{ShellQuote.Single(files.RecordingsDirectory)}}/$$-${EPOCHREALTIME/[.,]/}
                  SHELL={{ShellQuote.Single(bashPath)}} exec {{RecordingScriptPath}} -qfe -m advanced -B "$recording.io" -T "$recording.tm" -c {{ShellQuote.Single("exec " + command)}}
              """;

    /// <summary>
    /// The notices before the node's end (R-BEY-4) for a session whose shell is not bash, which has no prompt hook to show
    /// them at (<see cref="SessionCommands.Rc"/>): a loop of the session's own, on the runner's host, writes each new one to
    /// the session's terminal (its own tty, as <c>wall</c> would) while the session lives, then ends with it.
    /// </summary>
    private static string Notifier(string noticePath)
    {
        var notice = ShellQuote.Single(noticePath);
        return $$"""
                      if porthole_tty=$(tty 2>/dev/null); then
                        (
                          shown=
                          while sleep 1; do
                            kill -0 "$$" 2>/dev/null || exit 0
                            if [ -s {{notice}} ] && read -r line < {{notice}} && [ "$line" != "$shown" ]; then
                              shown=$line
                              printf '\r\n\033[33m%s\033[0m\r\n' "$line" > "$porthole_tty"
                            fi
                          done
                        ) < /dev/null > /dev/null 2>&1 &
                      fi
              """;
    }

    /// <summary>util-linux's <c>script</c> (bsdutils, Essential in Debian), which records the sessions (R-BEY-2).</summary>
    public const string RecordingScriptPath = WatchFilter.ScriptPath;

    private static string Entry(IReadOnlyList<string>? entry) =>
        entry is null || entry.Count == 0 ? string.Empty : string.Join(' ', entry.Select(ShellQuote.Single)) + " ";

    private static string Shell(SessionEntry? entry, string bashPath) => ShellQuote.Single(entry?.Shell ?? bashPath);

    /// <summary>scp and sftp: the node's SFTP server, or one line saying what the node lacks for them.</summary>
    private static string Sftp(SessionEntry? entry, string sftpServerPath) =>
        entry?.SftpMissing is { } missing
            ? SftpRefusal.Command("Porthole: scp and sftp cannot work here: " + missing + ".")
            : $"    exec {Entry(entry?.Command)}{ShellQuote.Single(entry?.SftpServer ?? sftpServerPath)}";

    /// <summary>A session rc with the job's environment written into it, for a node that keeps its own copy (a container).</summary>
    public static string InlineSessionRc(string environmentText, string? bashEnvPath) =>
        bashEnvPath is null
            ? environmentText
            : environmentText + $"\nif [ -f {ShellQuote.Single(bashEnvPath)} ]; then . {ShellQuote.Single(bashEnvPath)}; fi\n";

    /// <summary>A read-only key on a node that is not a debug run: there is no shared session to watch, and nothing else is let.</summary>
    private const string ReadOnlyRefused = """
          echo "Porthole: this key may only watch a debug session, read-only, and this node is not a debug session: access refused." >&2
          exit 1
        """;

    /// <summary>A read-only key on a debug node: it watches the shared session; a command, scp or sftp is refused.</summary>
    private const string ReadOnlyDebugOnly = """
          case $command in
            ''|watch) ;;
            *)
              echo "Porthole: this key may only watch this debug session, read-only: connect with a terminal and without a command (ssh -t)." >&2
              exit 1 ;;
          esac
        """;

    /// <summary>
    /// A debug node's part of the attach script: a login joins the one tmux session, after everyone already attached is
    /// told who joined and the job's log got a line of it (R-DBG-3). A <c>watch</c>, or any session of a read-only key,
    /// joins it read-only: it sees, with the job's secrets masked as in the log (<see cref="WatchFilter"/>), and its keys
    /// reach nobody (R-DBG-7).
    /// </summary>
    /// <remarks>
    /// A writer is not recorded here, under util-linux <c>script</c> (R-BEY-2): it writes an end-of-file (Ctrl-D) to its
    /// program when its own terminal hangs up, and a tmux client passes it on to the shared window, whose shell then exits
    /// for everyone. The runner's own control client records the writers (<see cref="Recording.DebugRecorder"/>).
    /// </remarks>
    private static string DebugAttach(NodeSshFiles files, string tmuxPath, string bashPath)
    {
        var tmux = $"{ShellQuote.Single(tmuxPath)} -S {ShellQuote.Single(files.TmuxSocketPath)}";
        return $$"""
            case $command in
              ''|watch)
                if [ ! -t 0 ] || [ ! -t 1 ]; then
                  echo "Porthole: this is a debug session, a shared terminal: connect with a terminal (ssh -t, or ssh -tt)." >&2
                  exit 1
                fi
                if [ "$read_only" = 1 ]; then
            {{WatchReady(files)}}
                fi
                notice="$user ($fingerprint) joined from $client_address"
                if [ "$read_only" = 1 ]; then notice="$notice, read-only"; fi
                {{tmux}} list-clients -t debug -F '#{client_name}' 2>/dev/null | while IFS= read -r client; do
                  {{tmux}} display-message -c "$client" "$notice" 2>/dev/null
                done
                printf 'Porthole: %s\n' "$notice" >> {{ShellQuote.Single(files.DebugRecordPath)}}
                unset TMUX
                case ${TERM-} in ''|dumb|unknown) export TERM=xterm-256color ;; esac
                if [ "$read_only" = 1 ]; then
            {{WatchMasked(files, tmux, bashPath)}}
                fi
                exec {{tmux}} attach-session -t debug ;;
            esac
            if [ "$read_only" = 1 ]; then
              echo "Porthole: this key may only watch this debug session, read-only." >&2
              exit 1
            fi
            """;
    }

    /// <summary>
    /// Whether a read-only client may watch now: only once the Debug section has written <see cref="WatchFilter"/> and
    /// the job's secrets, and, when there are secrets, where the filter can run.
    /// </summary>
    private static string WatchReady(NodeSshFiles files)
    {
        var patterns = ShellQuote.Single(WatchFilter.PatternsPath(files));
        return $$"""
                      if [ ! -f {{patterns}} ]; then
                        echo "Porthole: this debug session is not ready to be watched yet; try again in a moment." >&2
                        exit 1
                      fi
                      if [ -s {{patterns}} ] && { [ ! -x {{WatchFilter.PerlPath}} ] || [ ! -x {{WatchFilter.ScriptPath}} ]; }; then
                        echo "Porthole: this debug session cannot be watched read-only on this node: masking the job's secrets needs {{WatchFilter.PerlPath}} and {{WatchFilter.ScriptPath}} (util-linux)." >&2
                        exit 1
                      fi
            """;
    }

    /// <summary>
    /// A read-only client of the debug session, seen through <see cref="WatchFilter"/>: its tmux client runs on a pty of
    /// <c>script</c>'s, whose output is masked on its way to the watcher. A job without secrets is watched as it is.
    /// </summary>
    private static string WatchMasked(NodeSshFiles files, string tmux, string bashPath)
    {
        var patterns = ShellQuote.Single(WatchFilter.PatternsPath(files));
        var attach = $"exec {tmux} attach-session -r -t debug";
        return $$"""
                      if [ ! -s {{patterns}} ]; then
                        {{attach}}
                      fi
                      SHELL={{ShellQuote.Single(bashPath)}} {{WatchFilter.ScriptPath}} -qfec {{ShellQuote.Single(attach)}} /dev/null | {{WatchFilter.PerlPath}} {{ShellQuote.Single(WatchFilter.FilterPath(files))}} {{patterns}}
                      exit "${PIPESTATUS[0]}"
            """;
    }

    /// <summary>Sourced at the first prompt of an interactive session: the job's environment, then what the steps left.</summary>
    public static string SessionRc(NodeSshFiles files, string? bashEnvPath) =>
        bashEnvPath is null
            ? $"""
              . {ShellQuote.Single(files.EnvironmentPath)}

              """
            : $"""
              . {ShellQuote.Single(files.EnvironmentPath)}
              if [ -f {ShellQuote.Single(bashEnvPath)} ]; then . {ShellQuote.Single(bashEnvPath)}; fi

              """;

    /// <summary>
    /// Runs sshd as its child. sshd writes its process title over its own environment in /proc, so the node's tag is
    /// not seen on it; this parent keeps the tag, and ending it (TERM, HUP, INT) ends sshd and its connections, also
    /// when the runner ends a crashed node's leftovers by their tag (R-SSH-9). sshd gets a session of its own, so that
    /// ending this script's session does not end sshd before the script has found sshd's connections (its children).
    /// </summary>
    public const string Supervisor = """
        #!/bin/bash
        setsid "$@" &
        sshd=$!
        echo "porthole-sshd-pid $sshd"
        end_sshd() {
          trap '' TERM HUP INT
          # sshd's whole tree: a connection is a child of the listener, or a grandchild behind its monitor.
          local -A parent_of=() in_tree=(["$sshd"]=1)
          local stat line fields pid grew=1 tree=("$sshd")
          for stat in /proc/[0-9]*/stat; do
            read -r line < "$stat" 2>/dev/null || continue
            pid=${stat#/proc/}
            read -r -a fields <<< "${line##*) }"
            parent_of[${pid%/stat}]=${fields[1]}
          done
          while [ "$grew" = 1 ]; do
            grew=0
            for pid in "${!parent_of[@]}"; do
              if [ -z "${in_tree[$pid]-}" ] && [ -n "${in_tree[${parent_of[$pid]}]-}" ]; then
                in_tree[$pid]=1
                tree+=("$pid")
                grew=1
              fi
            done
          done
          kill -KILL "${tree[@]}" 2>/dev/null
          exit 143
        }
        trap end_sshd TERM HUP INT
        wait "$sshd"
        exit $?

        """;
}
