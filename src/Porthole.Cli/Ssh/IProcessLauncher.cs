namespace Porthole.Cli.Ssh;

/// <summary>
/// Starts a program that takes over the terminal, as <c>porthole ssh</c> starts the real <c>ssh</c>.
/// <see cref="InheritedStdioLauncher"/> is the real one; tests pass their own to see the argv without connecting.
/// </summary>
public interface IProcessLauncher
{
    /// <summary>Whether standard input is a terminal, so that ssh is asked for one (<c>-t</c>) for a login shell.</summary>
    bool InputIsTerminal { get; }

    /// <summary>Runs <paramref name="program"/> with this process's standard input, output and error; returns its exit code.</summary>
    Task<int> RunAsync(string program, IReadOnlyList<string> arguments, CancellationToken cancellationToken);
}
