using System.Globalization;
using System.Text;
using Porthole.Ssh.Endpoints;

namespace Porthole.Ssh.Debugging;

/// <summary>The files of a debug session: tmux's config, the shell of every window (rc) and the help it prints.</summary>
internal static class DebugScripts
{
    public const string SessionName = "debug";

    /// <summary>
    /// tmux's config: the server ends with its last session (a foreground server keeps running otherwise), and when
    /// the session is echoed to the log, every new window is too (pipe-pane covers one pane).
    /// </summary>
    public static string TmuxConfig(NodeSshFiles files, DebugPlacement placement, bool quiet)
    {
        var text = new StringBuilder();
        text.Append("set -s exit-empty on\n");
        text.Append("set -s escape-time 10\n");
        text.Append("set -g history-limit 50000\n");
        text.Append("set -g display-time 5000\n");
        text.Append("set -g status-interval 0\n");

        // Clients of different sizes share the one window (an ssh terminal and the browser's): it takes the size of the
        // one that typed last, rather than the smallest's with dots drawn over the rest of the larger screens.
        text.Append("set -g window-size latest\n");
        text.Append("set -g aggressive-resize on\n");

        // With automatic-rename, the first output of a pane after half a second's quiet (the echo of a keystroke typed
        // after a pause) waits, before it reaches the terminals, for tmux to look up the pane's foreground process
        // (tcgetpgrp, /proc/PID/cmdline) and expand the window's name format: about 0.06 ms of a 0.7 ms echo. Windows
        // keep the name they start with (bash).
        text.Append("set -g automatic-rename off\n");
        text.Append("set -g default-command ")
            .Append(TmuxQuote("exec " + string.Join(' ', placement.WindowEntry.Concat(placement.WindowShell).Select(ShellQuote.Single))))
            .Append('\n');
        if (!quiet)
        {
            var pipe = TmuxQuote($"pipe-pane -o {TmuxQuote(PipeCommand(files))}");
            text.Append("set-hook -g after-new-window ").Append(pipe).Append('\n');
            text.Append("set-hook -g after-split-window ").Append(pipe).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>The shell command tmux pipes a pane's output to.</summary>
    public static string PipeCommand(NodeSshFiles files) => $"exec cat >> {ShellQuote.Single(files.SessionLogPath)}";

    /// <summary>
    /// The rc file of every window: the job's environment, what the steps would have left in BASH_ENV, the working
    /// directory, one function per step (R-DBG-4), <c>porthole-continue</c>, the lifecycle's commands, and the help text.
    /// </summary>
    /// <param name="lifecycleRc"><c>porthole-extend</c> and <c>porthole-release</c> (<see cref="SessionCommands.Rc"/>, R-BEY-4).</param>
    public static string Rc(
        DebugPlacement placement, string? bashEnvPath, string workingDirectory, IReadOnlyList<DebugStep> steps, string? continuePath = null, string? lifecycleRc = null)
    {
        var text = new StringBuilder();
        void Line(string line = "") => text.Append(line).Append('\n');

        Line("# Porthole: the shell of every window of this debug session.");
        Line($". {ShellQuote.Single(placement.EnvironmentPath)}");
        if (bashEnvPath is not null)
        {
            Line($"if [ -f {ShellQuote.Single(bashEnvPath)} ]; then . {ShellQuote.Single(bashEnvPath)}; fi");
        }

        Line($"cd -- {ShellQuote.Single(workingDirectory)} 2>/dev/null || cd -- \"$HOME\"");
        Line("PS1='porthole-debug:\\w\\$ '");
        Line($"porthole__record() {{ printf '%s\\n' \"$*\" >> {ShellQuote.Single(placement.RecordPath)}; }}");
        Line("porthole__run() {");
        Line("  local name=$1 step=$2 code");
        Line("  porthole__record \"==> $name\"");
        Line("  \"porthole__step_$step\"");
        Line("  code=$?");
        Line("  porthole__record \"$name exited with $code\"");
        Line("  return \"$code\"");
        Line("}");

        // A step runs as the runner runs it: exactly the job's environment and the step's own (nothing of this shell),
        // in the step's directory, with the step's shell line and script.
        const string Runner = ". \"$1\" || exit 1; . \"$2\" || exit 1; mkdir -p -- \"$3\" && cd -- \"$3\" || exit 1; shift 3; exec \"$@\"";
        if (steps.Any(s => s.Request is not null))
        {
            Line($"porthole__typed() {{ command {ShellQuote.Single(placement.Shell)} -c {ShellQuote.Single(TypedStepScript)} porthole-typed \"$1\" \"$2\" \"$3\"; }}");
        }

        foreach (var step in steps)
        {
            Line(string.Create(CultureInfo.InvariantCulture, $"porthole__step_{step.Index}() {{"));
            if (step.Request is { } request)
            {
                // A typed step is the runner's to run: the function asks it and waits (DebugStepRequests).
                Line($"  porthole__typed {ShellQuote.Single(request.RequestPath)} {ShellQuote.Single(request.ReplyPath)} {ShellQuote.Single(request.OutputPath)}");
                Line("}");
                foreach (var function in step.Functions)
                {
                    Line(string.Create(CultureInfo.InvariantCulture, $"{function}() {{ porthole__run {function} {step.Index}; }}"));
                }

                continue;
            }

            var words = new List<string> { "command", "env", "-i", placement.Shell };
            if (placement.IsBash)
            {
                words.AddRange(["--noprofile", "--norc"]);
            }

            words.AddRange(["-c", Runner, "porthole-step", placement.EnvironmentPath, step.EnvironmentPath, step.Directory]);
            words.AddRange(step.Arguments);

            // What it runs, before it runs it (R-BEY-4): the step's script, each line after "+ ", or its command.
            Line(step.Script.Length > 0
                ? $"  while IFS= read -r porthole__line || [ -n \"$porthole__line\" ]; do printf '+ %s\\n' \"$porthole__line\"; done < {ShellQuote.Single(step.ScriptPath)}"
                : $"  printf '+ %s\\n' {ShellQuote.Single(string.Join(' ', step.Arguments))}");
            Line("  " + string.Join(' ', words.Select((w, i) => i < 3 ? w : ShellQuote.Single(w))));
            Line("}");
            foreach (var function in step.Functions)
            {
                Line(string.Create(CultureInfo.InvariantCulture, $"{function}() {{ porthole__run {function} {step.Index}; }}"));
            }
        }

        Line("porthole_run_step() {");
        Line("  case ${1-} in");
        foreach (var step in steps)
        {
            Line(string.Create(CultureInfo.InvariantCulture, $"    {step.Index}) porthole__run \"porthole_run_step {step.Index}\" {step.Index} ;;"));
        }

        Line(string.Create(
            CultureInfo.InvariantCulture,
            $"    *) echo {ShellQuote.Single($"Usage: porthole_run_step N, where N is a step's number, 0 to {steps.Count - 1} (see porthole_steps).")} >&2; return 2 ;;"));
        Line("  esac");
        Line("}");
        Line("porthole_steps() {");
        if (steps.Count == 0)
        {
            // A function's body may not be empty.
            Line("  echo 'This job has no steps.'");
        }

        foreach (var step in steps)
        {
            var line = string.Create(CultureInfo.InvariantCulture, $"{step.Index,3}  {string.Join(", ", step.Functions)}  ({step.Name})");
            Line($"  printf '%s\\n' {ShellQuote.Single(line)}");
            if (step.Summary.Length > 0)
            {
                Line($"  printf '       %s\\n' {ShellQuote.Single(step.Summary)}");
            }
        }

        Line("}");
        if (continuePath is not null)
        {
            // porthole-continue (R-BEY-4): the runner ends this session and runs the steps left, unattended.
            Line("porthole_continue() {");
            Line($"  printf '%s\\n' \"$$-$(date +%s)\" > {ShellQuote.Single(continuePath)} || return 1");
            Line("  echo 'Porthole: the steps left run unattended now; this session closes.'");
            Line("}");
            Line("alias porthole-continue=porthole_continue");
        }

        text.Append(lifecycleRc);

        // The first window starts before its output is piped to the log: the help waits for the pipe (a second at most).
        Line($"porthole__wait=0; while [ $porthole__wait -lt 40 ] && [ ! -e {ShellQuote.Single(placement.ReadyPath)} ]; do sleep 0.025; porthole__wait=$((porthole__wait + 1)); done; unset porthole__wait");
        Line($"cat {ShellQuote.Single(placement.HelpPath)}");
        return text.ToString();
    }

    /// <summary>
    /// What a typed step's function runs, in a shell of its own (plain sh: a container's shell may not be bash; and a child,
    /// so that Ctrl-C, which the child traps, ends only the waiting and the function still records the exit code): it writes
    /// a fresh nonce into the step's request file, then every 0.2 s reads the reply, prints what the runner wrote into the
    /// output file since the last look once the reply says the runner took this nonce, and exits with the code the reply
    /// ends with. A request another window wrote over this one before the runner read it is written again once the runner
    /// took that one. Ctrl-C stops waiting (exit code 130); the runner goes on.
    /// </summary>
    private const string TypedStepScript = """
        request=$1 reply=$2 output=$3 shown=0 waited=0 taken='' code='' stopped=''
        nonce="$$-$(date +%s)"
        trap 'stopped=1' INT
        printf '%s\n' "$nonce" > "$request" || exit 1
        while :; do
          answer=$(cat "$reply" 2>/dev/null)
          case $answer in
            "$nonce running"|"$nonce exited "*" end")
              taken=1
              chunk=$(tail -c +$((shown + 1)) "$output" 2>/dev/null; echo x)
              chunk=${chunk%x}
              if [ -n "$chunk" ]; then printf '%s' "$chunk"; shown=$((shown + $(printf '%s' "$chunk" | wc -c))); fi
              case $answer in "$nonce exited "*) code=${answer#"$nonce exited "}; code=${code%" end"}; break ;; esac ;;
            *)
              pending=$(cat "$request" 2>/dev/null)
              if [ "$pending" != "$nonce" ] && [ -n "$pending" ]; then
                case $answer in "$pending "*) printf '%s\n' "$nonce" > "$request" ;; esac
              fi ;;
          esac
          if [ -n "$stopped" ]; then
            echo 'Stopped waiting for the runner, which goes on with this step: the log of the job says how it ends.' >&2
            exit 130
          fi
          waited=$((waited + 1))
          if [ -z "$taken" ] && [ $waited -eq 15 ]; then echo 'Waiting for the runner, which runs one such step at a time (Ctrl-C stops waiting)...' >&2; fi
          sleep 0.2
        done
        case $code in ''|*[!0-9]*) exit 1 ;; esac
        exit "$code"
        """;

    /// <param name="stoppedAt">Where a breakpoint stopped the steps (R-BEY-4), in words ("before step 2 (Run tests)"); null: before any step ran.</param>
    public static string Help(long jobId, int nodeIndex, IReadOnlyList<DebugStep> steps, string? stoppedAt = null)
    {
        var text = new StringBuilder();
        void Line(string line = "") => text.Append(line).Append('\n');
        var travis = steps.SelectMany(s => s.Functions).Where(f => f.StartsWith("travis_run_", StringComparison.Ordinal)).ToList();

        Line(stoppedAt is null
            ? string.Create(CultureInfo.InvariantCulture, $"This is a debug session of job {jobId} (node {nodeIndex}): the job was set up and checked out, and none of its steps ran.")
            : string.Create(CultureInfo.InvariantCulture, $"This is a debug session of job {jobId} (node {nodeIndex}), stopped {stoppedAt}: the steps before it ran as usual."));
        Line("Everyone who connects shares this terminal: what one types, the others see.");
        Line();
        Line("Run the job's steps one by one, each as the runner would (its environment, directory and shell):");
        Line("  porthole_steps            lists them");
        Line("  porthole_run_step N       runs step N (0 is the first)");
        Line("  porthole_run_<step name>  runs a step by its name");
        if (travis.Count > 0)
        {
            Line("  " + string.Join(", ", travis));
        }

        Line("Each records its exit code in the job's log.");
        if (steps.Any(s => s.Request is not null))
        {
            Line("The steps that save or restore caches and workspaces or store artifacts and test results are run by the");
            Line("runner itself when their function asks; the window shows what it says and waits (Ctrl-C stops waiting).");
        }

        Line();
        Line("Each prints what it runs (+ …) before running it.");
        Line("porthole-continue ends this session and runs the steps left unattended, as a normal run would.");
        Line("porthole-extend [30m] keeps this session longer (the status line says until when); porthole-release ends it now.");
        Line();
        Line("tmux: ctrl-b c opens a window, ctrl-b 0 goes to the first, ctrl-b [ scrolls back (q leaves).");
        Line("Exit the last window to end the debug build; no step will run after it.");
        Line();
        return text.ToString();
    }

    /// <summary>A tmux config or command argument in double quotes (tmux's own quoting).</summary>
    private static string TmuxQuote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)
            .Replace("$", "\\$", StringComparison.Ordinal) + "\"";
}
