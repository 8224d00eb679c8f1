using System.Text;
using Porthole.Contracts.Runners;
using Porthole.Execution.Tests.Support;

namespace Porthole.Execution.Tests.Logging;

public sealed class StepLogTests : IDisposable
{
    private readonly NodeHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task Secrets_are_masked_in_step_output_even_when_printed_in_two_pieces()
    {
        var job = Plans.Job([
            Plans.Run("Leak", "echo \"token=$API_TOKEN\"; printf 'sec'; sleep 0.3; printf 'ret-value\\n'; echo done"),
        ]);
        var assignment = Plans.Assignment(job, variables: [
            new ProjectVariable("API_TOKEN", "tok-1234567890", true),
            new ProjectVariable("SPLIT", "secret-value", true),
            new ProjectVariable("PUBLIC", "secret", false),
        ]);

        await _harness.RunAsync(assignment);

        var log = _harness.Reporter.Log;
        Assert.Contains("token=********\n********\ndone\n", log, StringComparison.Ordinal);
        Assert.DoesNotContain("tok-1234567890", log, StringComparison.Ordinal);
        Assert.DoesNotContain("sec", log.Replace("Leak", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Secrets_are_masked_in_the_runners_own_lines_too()
    {
        var job = Plans.Job([Plans.Checkout()]);
        var assignment = Plans.Assignment(job, repositoryUrl: "https://user:p4ssw0rd-xyz@git.invalid/repo.git", variables: [
            new ProjectVariable("GIT_PASSWORD", "p4ssw0rd-xyz", true),
        ]);

        await _harness.RunAsync(assignment);

        Assert.Contains("https://user:********@git.invalid/repo.git", _harness.Reporter.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("p4ssw0rd-xyz", _harness.Reporter.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ansi_colour_and_raw_bytes_are_kept_verbatim()
    {
        var job = Plans.Job([Plans.Run("Colour", "printf '\\033[1;32mgreen\\033[0m\\r\\nprogress 10%%\\rprogress 100%%\\n\\xff\\xfe\\n'")]);

        await _harness.RunAsync(Plans.Assignment(job));

        var expected = Encoding.UTF8.GetBytes("\u001b[1;32mgreen\u001b[0m\r\nprogress 10%\rprogress 100%\n").Concat(new byte[] { 0xff, 0xfe, (byte)'\n' }).ToArray();
        var log = _harness.Reporter.LogBytes;
        var header = Encoding.UTF8.GetByteCount("\u001b[1m==> Colour\u001b[0m\n");
        Assert.Equal(expected, log[header..]);
    }

    [Fact]
    public async Task Stdout_and_stderr_are_merged_in_the_order_they_were_written()
    {
        var job = Plans.Job([Plans.Run("Both", "for i in 1 2 3; do echo out$i; echo err$i >&2; done")]);

        await _harness.RunAsync(Plans.Assignment(job));

        Assert.EndsWith("out1\nerr1\nout2\nerr2\nout3\nerr3\n", _harness.Reporter.StepLog(0), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_partial_line_reaches_the_reporter_while_the_step_still_runs()
    {
        var job = Plans.Job([Plans.Run("Prompt", "printf 'waiting...'; sleep 300")]);
        var assignment = Plans.Assignment(job, variables: [new ProjectVariable("TOKEN", "unrelated-secret", true)]);
        using var cancel = new CancellationTokenSource();

        var running = _harness.RunAsync(assignment, cancel.Token);
        await _harness.Reporter.WaitForLogAsync("waiting...", TimeSpan.FromSeconds(5));
        await cancel.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Contains("waiting...\nThe job was canceled", _harness.Reporter.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_log_cap_ends_in_one_notice_while_the_step_keeps_running()
    {
        var marker = Path.Combine(_harness.Evidence, "finished");
        var job = Plans.Job([
            Plans.Run("Noisy", $"for i in $(seq 1 2000); do echo \"line $i of noise\"; done; touch {marker}"),
            Plans.Run("After", "echo after"),
        ]);

        var completion = await _harness.RunAsync(Plans.Assignment(job, logCapBytes: 4096));

        Assert.Equal(NodeResult.Success, completion.Result);
        Assert.True(File.Exists(marker), "the step should have run to its end");
        var log = _harness.Reporter.Log;
        Assert.EndsWith(
            "\nLog truncated: the node's log reached the 4 KB cap; later output is discarded (the steps keep running).\n",
            log,
            StringComparison.Ordinal);
        Assert.Equal(4096 + "\nLog truncated: the node's log reached the 4 KB cap; later output is discarded (the steps keep running).\n".Length, _harness.Reporter.LogBytes.Length);
        Assert.Equal(StepState.Success, _harness.Reporter.Final(1).State);
        Assert.Equal(_harness.Reporter.LogBytes.Length, _harness.Reporter.Final(1).LogStart);
        Assert.Equal(_harness.Reporter.LogBytes.Length, _harness.Reporter.Final(1).LogEnd);
    }
}
