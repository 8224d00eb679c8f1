using System.Globalization;

namespace Porthole.Bench;

/// <summary>
/// A tmux server of the benchmark's own, with one session running <c>bash --norc -i</c>, on a socket in a temporary folder:
/// real tmux's floor, attached to over a plain sshd beside ours. Disposing it ends the server by its pid and removes the folder.
/// </summary>
public sealed class TmuxServer : IAsyncDisposable
{
    public const string SessionName = "bench";

    private readonly string _folder;
    private readonly int _pid;

    private TmuxServer(string folder, int pid)
    {
        _folder = folder;
        _pid = pid;
    }

    public string SocketPath => Path.Combine(_folder, "tmux.sock");

    /// <summary>The command a client runs to attach to the session (a terminal type of its own: ssh may bring none).</summary>
    public string[] AttachCommand => ["env", "TERM=xterm-256color", "tmux", "-S", SocketPath, "attach-session", "-t", SessionName];

    public static Task<TmuxServer> StartAsync()
    {
        // Short: a Unix socket's path has room for about 100 bytes.
        var folder = Directory.CreateTempSubdirectory("porthole-tmux-").FullName;
        try
        {
            var socket = Path.Combine(folder, "tmux.sock");
            SshTools.Run("tmux", ["-f", "/dev/null", "-S", socket, "new-session", "-d", "-s", SessionName, "-x", "120", "-y", "40", "bash", "--norc", "-i"]);
            var pid = int.Parse(SshTools.Run("tmux", ["-S", socket, "display-message", "-p", "#{pid}"]).Trim(), CultureInfo.InvariantCulture);
            return Task.FromResult(new TmuxServer(folder, pid));
        }
        catch
        {
            Directory.Delete(folder, recursive: true);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var server = System.Diagnostics.Process.GetProcessById(_pid);
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }
        catch (ArgumentException)
        {
            // It ended already (its last session exited).
        }

        Directory.Delete(_folder, recursive: true);
    }
}
