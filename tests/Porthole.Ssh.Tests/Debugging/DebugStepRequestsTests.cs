using System.Text.RegularExpressions;
using Porthole.Contracts.Plans;
using Porthole.Contracts.Runners;
using Porthole.Contracts.Ssh;
using Porthole.Ssh.Debugging;
using Porthole.Ssh.Tests.Support;

namespace Porthole.Ssh.Tests.Debugging;

/// <summary>
/// How a debug session's window asks the runner to run a typed step (issue 11): a nonce in a request file the runner
/// reads without following a link, a reply carrying that nonce and the exit code, recorded like the other functions.
/// The harness's node run gives the section no log for a step handler, so the runner answers every request by refusing
/// (exit code 1, saying why); the real steps run in Porthole.Server.Tests' DebugJobDataTests.
/// </summary>
public sealed class DebugStepRequestsTests
{
    private static readonly IReadOnlyList<StepPlan> Steps =
    [
        new(StepKind.Run, "Say hello", "echo hello\n", "/bin/bash -eo pipefail", [], null, false, StepCondition.OnSuccess, null),
        new(StepKind.StoreArtifacts, "Uploading artifacts", null, string.Empty, [], null, false, StepCondition.OnSuccess, null)
        {
            StoreArtifacts = new StoreArtifactsPlan("out", null),
        },
    ];

    [Fact]
    public void A_request_is_one_short_nonce_in_a_regular_file_read_without_following_a_link()
    {
        using var folder = new TempFolder();
        string Write(string name, string content)
        {
            var path = folder.Combine(name);
            File.WriteAllText(path, content);
            return path;
        }

        Assert.Equal("1234-1733450000-1", DebugStepRequests.ReadNonce(Write("plain", "1234-1733450000-1\n")));
        Assert.Equal("a.b_C-9", DebugStepRequests.ReadNonce(Write("bare", "a.b_C-9")));
        Assert.Null(DebugStepRequests.ReadNonce(Write("empty", string.Empty)));
        Assert.Null(DebugStepRequests.ReadNonce(Write("words", "1234 exited 0 end\n")));
        Assert.Null(DebugStepRequests.ReadNonce(Write("shell", "$(reboot)\n")));
        Assert.Null(DebugStepRequests.ReadNonce(Write("two-lines", "abc\ndef\n")));
        Assert.Null(DebugStepRequests.ReadNonce(Write("long", new string('a', 65) + "\n")));
        Assert.Null(DebugStepRequests.ReadNonce(Write("huge", new string('a', 100_000))));
        Assert.Null(DebugStepRequests.ReadNonce(folder.Combine("missing")));

        // A link to a file that holds a good nonce is no request: the session's account may not point the runner elsewhere.
        var target = Write("target", "forged-1\n");
        File.CreateSymbolicLink(folder.Combine("link"), target);
        Assert.Null(DebugStepRequests.ReadNonce(folder.Combine("link")));
        Directory.CreateDirectory(folder.Combine("folder"));
        Assert.Null(DebugStepRequests.ReadNonce(folder.Combine("folder")));
    }

    [Fact]
    public async Task A_typed_steps_function_asks_the_runner_which_ignores_forged_requests_and_ctrl_c_stops_waiting()
    {
        await using var node = await SshNode.CreateAsync(debug: new DebugRequest("alice", Quiet: true, TimeSpan.FromMinutes(30)), steps: Steps);
        var section = node.DebugAsync();
        await node.WaitForDebugAsync(section);
        var ssh = Path.Combine(node.Node.ScratchDirectory, "ssh");
        var request = Path.Combine(ssh, "tmux", "step-001.request");
        var reply = Path.Combine(ssh, "steps", "step-001.reply");
        var help = await File.ReadAllTextAsync(Path.Combine(ssh, "debug_rc.sh"));
        Assert.Contains($"porthole__typed '{request}' '{reply}' '{Path.Combine(ssh, "steps", "step-001.out")}'", help, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(ssh, "steps", "step-001.sh")));

        // Forged requests: garbage, and a link to a file that holds a good nonce. Neither is answered.
        await File.WriteAllTextAsync(request, "not a nonce; rm -rf ~\n");
        await Task.Delay(TimeSpan.FromMilliseconds(700));
        File.Delete(request);
        var forged = Path.Combine(node.Evidence, "forged");
        await File.WriteAllTextAsync(forged, "forged-nonce-1\n");
        File.CreateSymbolicLink(request, forged);
        await Task.Delay(TimeSpan.FromMilliseconds(700));
        Assert.False(File.Exists(reply), "a forged request was answered");

        // A window whose request goes through a link (to /dev/null here) is never answered: Ctrl-C stops its waiting,
        // and the function records 130.
        File.Delete(request);
        File.CreateSymbolicLink(request, "/dev/null");
        await TypeAsync(node, "porthole_run_step 1");
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.True((await node.TmuxAsync("send-keys", "-t", "debug", "C-c")).ExitCode == 0);
        await Wait.UntilAsync(() => node.DebugText.Contains("porthole_run_step 1 exited with 130\n", StringComparison.Ordinal), "the given-up step's record", TimeSpan.FromSeconds(10));
        await WaitForPaneAsync(node, "Stopped waiting for the runner");
        Assert.False(File.Exists(reply), "a request through a link was answered");

        // A FIFO in its place: the runner neither blocks on it nor takes it.
        File.Delete(request);
        var fifo = await Programs.RunOnceAsync("mkfifo", request);
        Assert.True(fifo.ExitCode == 0, fifo.Error);
        await Task.Delay(TimeSpan.FromMilliseconds(700));
        File.Delete(request);

        // A real request is answered with its nonce and the exit code (here: this harness's refusal), the window shows
        // what the runner said, and the function records the code.
        await TypeAsync(node, "porthole_run_step 1; echo after-$((6 * 7))");
        await Wait.UntilAsync(() => node.DebugText.Contains("porthole_run_step 1 exited with 1\n", StringComparison.Ordinal), "the answered step's record", TimeSpan.FromSeconds(10));
        await WaitForPaneAsync(node, "after-42");
        Assert.Contains("This runner cannot run the step in a debug session", await PaneAsync(node), StringComparison.Ordinal);
        Assert.Matches(new Regex("^[0-9]+-[0-9]+ exited 1 end\n$"), await File.ReadAllTextAsync(reply));
        Assert.Contains("==> porthole_run_step 1\n", node.DebugText, StringComparison.Ordinal);

        await TypeAsync(node, "exit");
        var result = await section.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(StepState.Success, result.State);
    }

    private static async Task TypeAsync(SshNode node, string line)
    {
        var typed = await node.TmuxAsync("send-keys", "-t", "debug", line, "Enter");
        Assert.True(typed.ExitCode == 0, typed.Error);
    }

    private static async Task<string> PaneAsync(SshNode node) =>
        (await node.TmuxAsync("capture-pane", "-p", "-J", "-S", "-200", "-t", "debug")).Output;

    private static async Task WaitForPaneAsync(SshNode node, string text)
    {
        var pane = string.Empty;
        try
        {
            await Wait.UntilAsync(async () => (pane = await PaneAsync(node)).Contains(text, StringComparison.Ordinal), $"'{text}' in the pane");
        }
        catch (TimeoutException)
        {
            Assert.Fail($"Waited for '{text}' in the pane:\n{pane}\n{node.DebugText}");
        }
    }
}
