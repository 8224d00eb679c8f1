using System.Text;

namespace Porthole.Pipeline.Travis.Languages;

/// <summary>
/// Small pieces of the bash the default phases are made of. A default phase command decides at run time which
/// command to run, so it prints that command itself (<c>$ npm ci</c>, as travis-build's <c>travis_cmd</c> echoes it)
/// and ends with its status. Temporary variables are named <c>__porthole_*</c>, which the saved shell state leaves out.
/// </summary>
internal static class LanguageBash
{
    /// <summary>travis-build's <c>travis_vers2int</c> (TB <c>bash/travis_vers2int.bash</c>): 1.2.3 → 1001002003000, for numeric comparison.</summary>
    public const string Vers2Int = """
        travis_vers2int() {
          local args
          read -r -a args <<<"$(echo "${1}" | grep -o '^[0-9\.][0-9\.]*' | tr '.' ' ')"
          printf '1%03d%03d%03d%03d' "${args[@]}"
        }
        """;

    /// <summary>Prints <paramref name="command"/> as <c>$ command</c>, then runs it (through <c>travis_retry</c> when asked).</summary>
    public static string Run(string command, bool retry = false) =>
        $"printf '\\033[1m$ %s\\033[0m\\n' {ShellQuote.Single(command)}\n{(retry ? "travis_retry " : "")}{command}";

    /// <summary>Prints <paramref name="shown"/> as <c>$ shown</c>, then runs <paramref name="command"/>, the same command quoted for bash.</summary>
    public static string Run(string shown, string command) => $"printf '\\033[1m$ %s\\033[0m\\n' {ShellQuote.Single(shown)}\n{command}";

    /// <summary>Prints a line exactly as given; nothing in it is expanded.</summary>
    public static string Echo(string message) => $"printf '%s\\n' {ShellQuote.Single(message)}";

    /// <summary>Prints a message and ends the command with status 1, as travis-build's <c>sh.failure</c> ends the job.</summary>
    public static string Fail(string message) => $"{Echo(message)}\nfalse";

    /// <summary><c>export NAME=value</c> with the value exactly as given.</summary>
    public static string Export(string name, string value) => $"export {name}={ShellQuote.Single(value)}";

    /// <summary>
    /// An if/elif/else chain: each branch a bash test and its body; a null test is the final else. Without an else and
    /// with no test true, the command succeeds having done nothing, as travis-build's <c>sh.if</c> does.
    /// </summary>
    public static string Choose(params (string? Test, string Body)[] branches)
    {
        var text = new StringBuilder();
        for (var i = 0; i < branches.Length; i++)
        {
            var (test, body) = branches[i];
            text.Append(test is null ? "else\n" : i == 0 ? $"if {test}; then\n" : $"elif {test}; then\n");
            foreach (var line in body.Split('\n'))
            {
                text.Append("  ").Append(line).Append('\n');
            }
        }

        return text.Append("fi").ToString();
    }

    /// <summary>Runs each command in turn, printing it first, and succeeds whatever they return (travis-build's <c>announce</c>).</summary>
    public static string Announce(params string[] commands) =>
        string.Join('\n', commands.Select(command => Run(command))) + "\ntrue";

    /// <summary>One command made of lines, in order.</summary>
    public static string Lines(params string[] lines) => string.Join('\n', lines);
}
