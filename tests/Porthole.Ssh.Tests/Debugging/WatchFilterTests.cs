using System.Diagnostics;
using System.Text;
using Porthole.Contracts.Runners;
using Porthole.Ssh.Debugging;
using Porthole.Ssh.Endpoints;

namespace Porthole.Ssh.Tests.Debugging;

/// <summary>The watchers' masking on its own: the job's secrets as the log's masker takes them, and the perl filter on the node.</summary>
public sealed class WatchFilterTests : IDisposable
{
    private readonly TempFolder _folder = new();

    [Fact]
    public void The_patterns_are_the_logs_each_secret_and_each_of_its_lines_of_four_characters_or_more()
    {
        var secrets = SecretPatterns.Of(
        [
            new ProjectVariable("KEY", "first-line\r\nsecond-line\nab\n", Secret: true),
            new ProjectVariable("TOKEN", "abcdefgh", Secret: true),
            new ProjectVariable("OVERLAP", "efghijkl", Secret: true),
            new ProjectVariable("SHORT", "yes", Secret: true),
            new ProjectVariable("PLAIN", "plain-value", Secret: false),
        ]);

        Assert.Equal(["first-line", "second-line", "abcdefgh", "efghijkl"], secrets.Values);
        Assert.Equal(
            "[********] [********] ab yes plain-value [********] [****************]",
            secrets.MaskText("[first-line] [second-line] ab yes plain-value [abcdefghijkl] [abcdefghabcdefgh]"));
        Assert.Equal("YWJjZGVmZ2g=", secrets.FileText().Split('\n')[2]);
        Assert.Equal("nothing here", SecretPatterns.None.MaskText("nothing here"));
    }

    [Fact]
    public async Task The_filter_masks_every_secret_and_passes_every_other_byte_as_it_is()
    {
        var secrets = SecretPatterns.Of(
        [
            new ProjectVariable("TOKEN", "abcdefgh", Secret: true),
            new ProjectVariable("OVERLAP", "efghijkl", Secret: true),
            new ProjectVariable("UNICODE", "pässwörd-✓", Secret: true),
        ]);
        using var filter = StartFilter(secrets, idleMilliseconds: 30);
        byte[] input = [.. "\u001b[1;31mred abcdefghijkl\u001b[0m\r\n"u8, 0xff, 0xfe, .. " pässwörd-✓ abcdefgh|abcdefg\r\n"u8];
        await filter.WriteAsync(input);
        filter.CloseInput();

        byte[] expected = [.. "\u001b[1;31mred ********\u001b[0m\r\n"u8, 0xff, 0xfe, .. " ******** ********|abcdefg\r\n"u8];
        Assert.Equal(expected, await filter.OutputAtEndAsync());
    }

    [Fact]
    public async Task A_secret_in_pieces_is_masked_when_the_rest_comes_within_the_idle_and_a_held_end_is_shown_after_it()
    {
        var secrets = SecretPatterns.Of([new ProjectVariable("SECRET", "Sup3rS3cretValue42", Secret: true)]);
        // An idle long enough that a busy machine's scheduling cannot outlast it between the two writes.
        using var filter = StartFilter(secrets, idleMilliseconds: 4000);

        // The end that may begin the secret waits for the rest; what comes before it does not.
        await filter.WriteAsync("before Sup3rS3"u8.ToArray());
        await filter.WaitForOutputAsync("before ");
        await Task.Delay(TimeSpan.FromMilliseconds(200));
        Assert.Equal("before ", filter.OutputText);
        await filter.WriteAsync("cretValue42 after\r\n"u8.ToArray());
        await filter.WaitForOutputAsync("before ******** after\r\n");

        // Nothing follows: the held end is shown as it is after the idle, the screen is never stuck.
        var started = TimeProvider.System.GetTimestamp();
        await filter.WriteAsync("prompt Sup3r"u8.ToArray());
        await filter.WaitForOutputAsync("before ******** after\r\nprompt Sup3r");
        Assert.True(TimeProvider.System.GetElapsedTime(started) >= TimeSpan.FromMilliseconds(3900), "the held end waited for the idle");
        filter.CloseInput();
        Assert.Equal("before ******** after\r\nprompt Sup3r", Encoding.UTF8.GetString(await filter.OutputAtEndAsync()));
    }

    public void Dispose() => _folder.Dispose();

    private RunningFilter StartFilter(SecretPatterns secrets, int idleMilliseconds)
    {
        var script = _folder.Combine("watch_filter.pl");
        var patterns = _folder.Combine("watch_secrets");
        File.WriteAllText(script, WatchFilter.Filter);
        File.WriteAllText(patterns, secrets.FileText());
        var start = new ProcessStartInfo(WatchFilter.PerlPath) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in (string[])[script, patterns, idleMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            start.ArgumentList.Add(argument);
        }

        return new RunningFilter(Process.Start(start)!);
    }

    private sealed class RunningFilter : IDisposable
    {
        private readonly Process _process;
        private readonly MemoryStream _output = new();
        private readonly Lock _gate = new();
        private readonly Task _pump;

        public RunningFilter(Process process)
        {
            _process = process;
            _pump = PumpAsync();
        }

        public string OutputText
        {
            get
            {
                lock (_gate)
                {
                    return Encoding.UTF8.GetString(_output.ToArray());
                }
            }
        }

        public async Task WriteAsync(byte[] bytes)
        {
            await _process.StandardInput.BaseStream.WriteAsync(bytes);
            await _process.StandardInput.BaseStream.FlushAsync();
        }

        public void CloseInput() => _process.StandardInput.Close();

        public async Task WaitForOutputAsync(string text)
        {
            var started = TimeProvider.System.GetTimestamp();
            while (OutputText != text)
            {
                if (TimeProvider.System.GetElapsedTime(started) > TimeSpan.FromSeconds(10))
                {
                    throw new TimeoutException($"Waited for the filter's output '{text}'; it is '{OutputText}'.");
                }

                await Task.Delay(10);
            }
        }

        public async Task<byte[]> OutputAtEndAsync()
        {
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            await _pump;
            Assert.Equal(0, _process.ExitCode);
            lock (_gate)
            {
                return _output.ToArray();
            }
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill();
            }

            _process.Dispose();
        }

        private async Task PumpAsync()
        {
            var buffer = new byte[4096];
            int read;
            while ((read = await _process.StandardOutput.BaseStream.ReadAsync(buffer)) > 0)
            {
                lock (_gate)
                {
                    _output.Write(buffer, 0, read);
                }
            }
        }
    }
}
