using System.Text;

namespace Porthole.Pipeline.Travis;

/// <summary>
/// The bash script for one Travis phase. Each command runs with <c>eval</c> in the script's own shell, as
/// Travis runs it: an <c>export</c> or <c>cd</c> is seen by the next command, a syntax error spoils only its
/// own command, and an <c>exit</c> ends the phase (the EXIT trap still saves the shell state). Each command
/// is echoed first from a single-quoted string, so echoing never expands it.
/// </summary>
internal static class PhaseScriptWriter
{
    public static string Write(TravisPhase phase, IReadOnlyList<string> commands, IReadOnlyList<EnvWord> environment)
    {
        var script = new StringBuilder();
        PhaseHeader.Write(script, phase, commands);
        script.Append("__porthole_phase=").Append(ShellQuote.Single(phase.Name)).Append('\n');
        script.Append(ShellPrelude.Text).Append('\n');
        WriteEnvironment(script, environment);
        foreach (var command in commands)
        {
            WriteCommand(script, phase, command);
        }

        script.Append(phase.Mode == PhaseMode.RunEvery ? "exit \"$__porthole_result\"\n" : "exit 0\n");
        return script.ToString();
    }

    /// <summary>
    /// The first phase to run exports the config's variables, echoed as Travis echoes them; later phases
    /// load the saved shell instead, so a variable an earlier phase changed or unset stays that way.
    /// </summary>
    internal static void WriteEnvironment(StringBuilder script, IReadOnlyList<EnvWord> environment)
    {
        script.Append("if [ -n \"$__porthole_state\" ] && [ -f \"$__porthole_state\" ]; then\n");
        if (environment.Count > 0)
        {
            script.Append("  unset ").AppendJoin(' ', environment.Select(word => word.Name).Distinct(StringComparer.Ordinal)).Append('\n');
        }

        script.Append("  . \"$__porthole_state\"\n");
        if (environment.Count > 0)
        {
            script.Append("else\n  printf 'Setting environment variables from .travis.yml\\n'\n");
            foreach (var word in environment)
            {
                script.Append("  printf '$ export %s\\n' ").Append(ShellQuote.Single(word.Raw)).Append('\n');
                script.Append("  export ").Append(word.Raw).Append('\n');
            }
        }

        script.Append("fi\n");
    }

    internal static void WriteCommand(StringBuilder script, TravisPhase phase, string command)
    {
        var quoted = ShellQuote.Single(command);
        script.Append('\n');
        script.Append("printf '\\033[1m$ %s\\033[0m\\n' ").Append(quoted).Append('\n');
        script.Append("eval ").Append(quoted).Append('\n');
        script.Append("__porthole_status=$?\n");
        if (phase.Mode == PhaseMode.StopAtFirstFailure)
        {
            script.Append("if [ \"$__porthole_status\" -ne 0 ]; then\n");
            script.Append("  printf '\\n\\033[31;1mThe command \"%s\" failed and exited with %s during %s.\\033[0m\\n\\nYour build has been stopped.\\n' ")
                .Append(quoted).Append(" \"$__porthole_status\" ").Append(ShellQuote.Single(phase.Name)).Append('\n');
            script.Append("  exit \"$__porthole_status\"\n");
            script.Append("fi\n");
            return;
        }

        script.Append("if [ \"$__porthole_status\" -ne 0 ]; then\n");
        script.Append("  __porthole_result=$__porthole_status\n");
        script.Append("  printf '\\n\\033[31;1mThe command \"%s\" exited with %s.\\033[0m\\n' ").Append(quoted).Append(" \"$__porthole_status\"\n");
        script.Append("else\n");
        script.Append("  printf '\\n\\033[32;1mThe command \"%s\" exited with 0.\\033[0m\\n' ").Append(quoted).Append('\n');
        script.Append("fi\n");
    }
}
