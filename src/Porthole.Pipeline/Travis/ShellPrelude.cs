namespace Porthole.Pipeline.Travis;

/// <summary>
/// The bash every phase script starts with. On Travis all phases run in one shell, so a variable, function,
/// directory change or <c>set -e</c> from one phase is still there in the next (symfony defines functions in
/// install and calls them in script). Here each phase is its own step process, so the script saves that
/// shell state when it exits (a trap, so an <c>exit</c> in a command saves it too) and the next phase loads
/// it. The state lives in the checkout's <c>.git</c> folder: it is per node, outside the work tree (git
/// status stays clean), and gone with the workspace. Travis's <c>travis_retry</c> and <c>travis_wait</c>
/// helpers, which configs call, are defined here as well.
/// </summary>
internal static class ShellPrelude
{
    public const string Text = """
        __porthole_result=0
        __porthole_state=
        if [ -d .git ]; then __porthole_state="$PWD/.git/porthole-travis-state.sh"; fi

        travis_retry() {
          local __porthole_try=1 __porthole_code=0
          while [ "$__porthole_try" -le 3 ]; do
            if "$@"; then return 0; else __porthole_code=$?; fi
            if [ "$__porthole_try" -lt 3 ]; then
              printf '\n\033[31;1mThe command "%s" failed. Retrying, %s of 3.\033[0m\n\n' "$*" "$((__porthole_try + 1))" >&2
              sleep 1
            fi
            __porthole_try=$((__porthole_try + 1))
          done
          printf '\n\033[31;1mThe command "%s" failed 3 times.\033[0m\n\n' "$*" >&2
          return "$__porthole_code"
        }

        travis_wait() {
          local __porthole_minutes=20 __porthole_pid __porthole_seconds=0
          case ${1:-} in ''|*[!0-9]*) ;; *) __porthole_minutes=$1; shift ;; esac
          "$@" &
          __porthole_pid=$!
          while kill -0 "$__porthole_pid" 2>/dev/null; do
            if [ "$__porthole_seconds" -ge $((__porthole_minutes * 60)) ]; then
              kill "$__porthole_pid" 2>/dev/null
              printf '\n\033[31;1mTimeout (%s minutes) reached. Terminating "%s"\033[0m\n' "$__porthole_minutes" "$*"
              return 1
            fi
            sleep 1
            __porthole_seconds=$((__porthole_seconds + 1))
            if [ $((__porthole_seconds % 60)) -eq 0 ]; then
              printf 'Still running (%s of %s): %s\n' "$((__porthole_seconds / 60))" "$__porthole_minutes" "$*"
            fi
          done
          wait "$__porthole_pid"
        }

        __porthole_save_state() {
          local __porthole_name __porthole_declaration __porthole_flags __porthole_word
          while IFS= read -r __porthole_name; do
            case $__porthole_name in
              BASH*|EUID|PPID|UID|GROUPS|SHELLOPTS|BASHOPTS|FUNCNAME|PIPESTATUS|LINENO|RANDOM|SRANDOM|SECONDS) continue ;;
              EPOCHREALTIME|EPOCHSECONDS|HISTCMD|PWD|OLDPWD|SHLVL|DIRSTACK|COMP_*|_|__porthole_*) continue ;;
            esac
            __porthole_declaration=$(declare -p "$__porthole_name" 2>/dev/null) || continue
            __porthole_flags=${__porthole_declaration#declare }
            __porthole_flags=${__porthole_flags%% *}
            case $__porthole_flags in *r*) continue ;; esac
            printf '%s\n' "$__porthole_declaration"
          done < <(compgen -v)
          declare -f
          while IFS=' ' read -r __porthole_word __porthole_flags __porthole_name; do
            case $__porthole_flags in *x*) printf 'export -f %s\n' "$__porthole_name" ;; esac
          done < <(declare -F)
          while IFS= read -r __porthole_word; do
            case $__porthole_word in *' login_shell'|*' restricted_shell') ;; *) printf '%s\n' "$__porthole_word" ;; esac
          done < <(shopt -p)
          printf 'cd -- %q 2>/dev/null || true\n' "$PWD"
          printf '%s\n' "$__porthole_options"
        }

        __porthole_finish() {
          __porthole_exit=$?
          __porthole_flags_now=$-
          if [[ -o pipefail ]]; then __porthole_options='set -o pipefail'; else __porthole_options=':'; fi
          { set +euxfCa; } 2>/dev/null
          for __porthole_flag in e u x f C a; do
            case $__porthole_flags_now in *"$__porthole_flag"*) __porthole_options="$__porthole_options; set -$__porthole_flag" ;; esac
          done
          if [ "$__porthole_exit" -eq 0 ] && [ "$__porthole_result" -ne 0 ]; then __porthole_exit=$__porthole_result; fi
          if [ "$__porthole_phase" = script ]; then
            if [ "$__porthole_exit" -eq 0 ]; then export TRAVIS_TEST_RESULT=0; else export TRAVIS_TEST_RESULT=1; fi
          fi
          if [ -n "$__porthole_state" ]; then __porthole_save_state > "$__porthole_state" 2>/dev/null; fi
          exit "$__porthole_exit"
        }
        trap __porthole_finish EXIT
        """;
}
