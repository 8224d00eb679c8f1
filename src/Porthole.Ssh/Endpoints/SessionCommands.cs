using System.Text;
using System.Text.RegularExpressions;
using Porthole.Contracts.Ssh;
using Porthole.Execution.Executors;
using Porthole.Execution.Processes;

namespace Porthole.Ssh.Endpoints;

/// <summary>
/// <c>porthole-extend [DURATION]</c> and <c>porthole-release</c> inside an SSH session or a debug session's windows (R-BEY-4),
/// and the notices before the node's end shown at an SSH session's next prompt (a debug session shows them through tmux). The commands are the session rc's (<see cref="Rc"/>): they write one
/// request line (<c>NONCE extend 30m</c>, <c>NONCE release</c>) into a file the session's account may write, and wait for
/// the reply line (<c>NONCE CODE TEXT</c>) in a file only the runner writes; this, polled from Enable SSH until the node's
/// end (or from the Debug section while its session lives), answers them through <see cref="SshWait"/>. On the shell executor the request is in the SSH folder's tmux folder
/// (the account's) and the reply and notice in the SSH folder (the runner's, readable by the account's group); in a
/// container, all three are in the node's scratch folder, which the container sees. A request is read without following
/// a link; anything but one short well-formed line is ignored.
/// </summary>
internal sealed partial class SessionCommands
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);
    private const int MaxRequestBytes = 128;

    private readonly IExecutorNode _node;
    private readonly bool _inContainer;
    private string? _lastNonce;

    private SessionCommands(IExecutorNode node, bool inContainer, string requestPath, string replyPath, string noticePath)
    {
        _node = node;
        _inContainer = inContainer;
        RequestPath = requestPath;
        ReplyPath = replyPath;
        NoticePath = noticePath;
    }

    /// <summary>The request file as the sessions see it.</summary>
    public string RequestPath { get; }

    /// <summary>The reply file as the sessions see it.</summary>
    public string ReplyPath { get; }

    /// <summary>The notice file as the sessions see it: its newest line is shown at the next prompt.</summary>
    public string NoticePath { get; }

    /// <summary>The notice file as the runner's host has it: where a session without bash is told (<see cref="ScriptTexts"/>'s notifier).</summary>
    public string HostNoticePath => _node.HostPathOf(NoticePath);

    /// <summary>Where the files are for a node's sessions: in its SSH folder on the shell executor, in the container's scratch folder otherwise.</summary>
    public static SessionCommands For(IExecutorNode node, NodeSshFiles files)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(files);
        if (!ReferenceEquals(node.Host, node))
        {
            var scratch = node.ScratchDirectory.TrimEnd('/') + "/";
            return new SessionCommands(node, inContainer: true, scratch + "lifecycle_request", scratch + "lifecycle_reply", scratch + "lifecycle_notice");
        }

        return new SessionCommands(
            node, inContainer: false, Path.Combine(files.TmuxDirectory, "lifecycle_request"), Path.Combine(files.Directory, "lifecycle_reply"), Path.Combine(files.Directory, "lifecycle_notice"));
    }

    /// <summary>Makes the files before any session: a container's request file given to its user (who cannot make files there).</summary>
    public async Task PrepareAsync(CancellationToken cancellationToken)
    {
        await WriteAsync(ReplyPath, string.Empty, cancellationToken);
        await WriteAsync(NoticePath, string.Empty, cancellationToken);
        if (_inContainer)
        {
            await _node.WriteScratchFileAsync(Path.GetFileName(RequestPath), string.Empty, cancellationToken);
        }
    }

    /// <summary>Answers requests through <paramref name="wait"/> until <paramref name="stop"/>.</summary>
    public async Task RunAsync(SshWait wait, CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                if (ReadRequest(_node.HostPathOf(RequestPath)) is { } request && request.Nonce != _lastNonce)
                {
                    _lastNonce = request.Nonce;
                    var (code, text) = Answer(wait, request);
                    await WriteAsync(ReplyPath, $"{request.Nonce} {code} {text}\n", stop);
                }

                // Polled on the real clock, as a debug session's requests are: a wait for the sessions, not a rule of the node.
                await Task.Delay(PollInterval, TimeProvider.System, stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ExecutorException)
        {
            // The node ended under it (its folder removed): nothing is left to answer.
        }
    }

    /// <summary>Shows <paramref name="text"/> at every session's next prompt; null: nothing (the last notice no longer holds).</summary>
    public async Task NoticeAsync(string? text)
    {
        try
        {
            await WriteAsync(NoticePath, text is null ? string.Empty : text + "\n", CancellationToken.None);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ExecutorException)
        {
        }
    }

    /// <summary>The rc lines that give a session the two commands (POSIX sh) and, with <paramref name="bash"/>, the notices at each prompt.</summary>
    public string Rc(bool bash)
    {
        var request = ShellQuote.Single(RequestPath);
        var reply = ShellQuote.Single(ReplyPath);
        var notice = ShellQuote.Single(NoticePath);
        var text = new StringBuilder();
        text.Append($$"""

            # Porthole: keep this node longer, or end it now (R-BEY-4).
            porthole_lifecycle() {
              _porthole_nonce="$$-$(date +%s)-${RANDOM:-0}"
              printf '%s %s %s\n' "$_porthole_nonce" "$1" "${2-}" > {{request}} || return 1
              _porthole_tries=0
              while [ "$_porthole_tries" -lt 100 ]; do
                if read -r _porthole_got _porthole_code _porthole_text < {{reply}} 2>/dev/null && [ "$_porthole_got" = "$_porthole_nonce" ]; then
                  printf '%s\n' "$_porthole_text"
                  return "$_porthole_code"
                fi
                sleep 0.1 2>/dev/null || sleep 1
                _porthole_tries=$((_porthole_tries + 1))
              done
              echo "porthole-$1: the runner did not answer; from your machine: porthole ssh $1 JOB" >&2
              return 1
            }
            alias porthole-extend='porthole_lifecycle extend'
            alias porthole-release='porthole_lifecycle release'

            """);
        if (bash)
        {
            text.Append($$"""
                porthole_notice() {
                  local line
                  if [ -s {{notice}} ] && read -r line < {{notice}} && [ "$line" != "${PORTHOLE_NOTICE_SHOWN-}" ]; then
                    PORTHOLE_NOTICE_SHOWN=$line
                    printf '\n\033[33m%s\033[0m\n' "$line"
                  fi
                }
                PROMPT_COMMAND="porthole_notice${PROMPT_COMMAND:+; $PROMPT_COMMAND}"

                """);
        }

        return text.ToString();
    }

    private static (int Code, string Text) Answer(SshWait wait, (string Nonce, string Action, string Argument) request)
    {
        switch (request.Action)
        {
            case "extend":
                if (SshDuration.Parse(request.Argument, out var error) is not { } by)
                {
                    return (2, "porthole-extend: " + error);
                }

                var extension = wait.Extend(by);
                return (extension.Extended ? 0 : 1, extension.Text);
            case "release":
                wait.Release("a session (porthole-release)");
                return (0, "porthole-release: the node ends now; its sessions close.");
            default:
                return (2, $"porthole: '{request.Action}' is not a command here: porthole-extend [DURATION] or porthole-release.");
        }
    }

    /// <summary>The request a file holds, or null: no file, a link, not a regular file, or not one short well-formed line.</summary>
    private static (string Nonce, string Action, string Argument)? ReadRequest(string path)
    {
        try
        {
            using var stream = RegularFile.OpenRead(path);
            if (stream is null)
            {
                return null;
            }

            var buffer = new byte[MaxRequestBytes + 1];
            var read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            if (read > MaxRequestBytes)
            {
                return null;
            }

            var match = RequestPattern().Match(Encoding.ASCII.GetString(buffer, 0, read).TrimEnd('\n', ' '));
            return match.Success ? (match.Groups["nonce"].Value, match.Groups["action"].Value, match.Groups["argument"].Value) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private async Task WriteAsync(string path, string content, CancellationToken cancellationToken)
    {
        if (_inContainer)
        {
            await _node.WriteScratchFileAsync(Path.GetFileName(path), content, cancellationToken);
        }
        else
        {
            NodeSshFiles.WriteAtomically(path, content);
        }
    }

    [GeneratedRegex(@"^(?<nonce>[A-Za-z0-9-]{1,48}) (?<action>[a-z]{1,16})(?: (?<argument>[\x21-\x7e ]{0,32}))?$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex RequestPattern();
}
