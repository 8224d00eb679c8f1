using System.Globalization;
using System.Text;

namespace Porthole.Ssh.Tests.Support;

/// <summary>
/// Terminals for ssh clients: a tmux server of the test's own (not the node's), one session per client, so that what a
/// client's screen shows can be read (<c>capture-pane</c>) as a user would see it, escape sequences applied.
/// </summary>
internal sealed class TerminalTmux : IAsyncDisposable
{
    private readonly string _socket;
    private readonly Programs _programs = new();

    public TerminalTmux(string socket) => _socket = socket;

    /// <summary>Opens a terminal of 120×30 named <paramref name="name"/> running <paramref name="command"/>.</summary>
    public async Task OpenAsync(string name, IReadOnlyList<string> command)
    {
        var line = new StringBuilder("exec");
        foreach (var word in command)
        {
            line.Append(" '").Append(word.Replace("'", "'\\''", StringComparison.Ordinal)).Append('\'');
        }

        var started = await RunAsync("-f", "/dev/null", "new-session", "-d", "-s", name, "-x", "120", "-y", "30", line.ToString());
        Assert.True(started.ExitCode == 0, started.Error);
        var kept = await RunAsync("set-option", "-t", name, "remain-on-exit", "on");
        Assert.True(kept.ExitCode == 0, kept.Error);
    }

    /// <summary>Types a line into the terminal, as keys.</summary>
    public async Task TypeLineAsync(string name, string text)
    {
        var typed = await RunAsync("send-keys", "-t", name, "-l", text);
        Assert.True(typed.ExitCode == 0, typed.Error);
        var entered = await RunAsync("send-keys", "-t", name, "Enter");
        Assert.True(entered.ExitCode == 0, entered.Error);
    }

    /// <summary>What the terminal shows now, and the lines scrolled off it.</summary>
    public async Task<string> ScreenAsync(string name) => (await RunAsync("capture-pane", "-p", "-J", "-S", "-200", "-t", name)).Output;

    public async Task<string> WaitForAsync(string name, string text, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(15);
        var started = TimeProvider.System.GetTimestamp();
        string screen;
        while (!(screen = await ScreenAsync(name)).Contains(text, StringComparison.Ordinal))
        {
            if (TimeProvider.System.GetElapsedTime(started) > limit)
            {
                throw new TimeoutException($"Waited {limit.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s for '{text}' on terminal {name}:\n{screen}");
            }

            await Task.Delay(50);
        }

        return screen;
    }

    /// <summary>Whether the terminal's program has exited (the pane is kept, dead).</summary>
    public async Task<bool> ExitedAsync(string name)
    {
        var dead = await RunAsync("display-message", "-p", "-t", name, "#{pane_dead}");
        return dead.Output.Trim() == "1";
    }

    public async ValueTask DisposeAsync()
    {
        await RunAsync("kill-server");
        _programs.Dispose();
    }

    private Task<ProgramResult> RunAsync(params string[] arguments) => _programs.RunAsync("tmux", ["-S", _socket, .. arguments]);
}
