using System.Globalization;
using System.Text;
using System.Text.Json;
using Porthole.Contracts.Runners;
using Porthole.Ssh.Endpoints;
using Porthole.Ssh.Recording;

namespace Porthole.Ssh.Tests.Recording;

/// <summary>
/// What util-linux script's logs become (R-BEY-2): asciicast v2 with the job's secrets masked, also when a secret is cut
/// between two writes, valid JSON whatever bytes the session wrote, and bounded whatever the session account left in the logs.
/// </summary>
public sealed class AsciicastWriterTests
{
    private const string Secret = "Sup3rS3cretValue42";

    private static readonly SecretPatterns Secrets = SecretPatterns.Of([new ProjectVariable("SECRET", Secret, Secret: true)]);

    /// <summary>Builds script's two logs from writes: (kind, seconds since the last, bytes).</summary>
    private static (MemoryStream Timing, MemoryStream Io) Logs(IEnumerable<(char Kind, double Delay, byte[] Bytes)> writes, string header = "H 0.000000 COLUMNS 100\nH 0.000000 LINES 30\nH 0.000000 TERM xterm-256color\n")
    {
        var timing = new StringBuilder(header);
        var io = new MemoryStream();
        io.Write("Script started on 2026-12-07 01:14:11+00:00 [COMMAND=\"exec bash\"]\n"u8);
        foreach (var (kind, delay, bytes) in writes)
        {
            if (kind == 'S')
            {
                timing.Append(CultureInfo.InvariantCulture, $"S {delay:0.000000} {Encoding.ASCII.GetString(bytes)}\n");
                continue;
            }

            timing.Append(CultureInfo.InvariantCulture, $"{kind} {delay:0.000000} {bytes.Length}\n");
            io.Write(bytes);
        }

        io.Write("\nScript done on 2026-12-07 01:14:13+00:00 [COMMAND_EXIT_CODE=\"0\"]\n"u8);
        timing.Append("H 0.000000 DURATION 2.5\nH 0.000000 EXIT_CODE 0\n");
        io.Position = 0;
        return (new MemoryStream(Encoding.ASCII.GetBytes(timing.ToString())), io);
    }

    private static (AsciicastSummary? Summary, JsonElement Header, List<JsonElement> Events, string Text) Convert(MemoryStream timing, MemoryStream io)
    {
        using var output = new MemoryStream();
        var summary = AsciicastWriter.Convert(timing, io, Secrets, output);
        var text = Encoding.UTF8.GetString(output.ToArray());
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = JsonDocument.Parse(lines[0]).RootElement.Clone();
        return (summary, header, [.. lines.Skip(1).Select(l => JsonDocument.Parse(l).RootElement.Clone())], text);
    }

    private static string Stream(List<JsonElement> events, string kind) =>
        string.Concat(events.Where(e => e[1].GetString() == kind).Select(e => e[2].GetString()));

    [Fact]
    public void Output_input_and_resizes_become_asciicast_v2_events_with_their_times()
    {
        var (timing, io) = Logs(
        [
            ('O', 0.01, "$ "u8.ToArray()),
            ('I', 0.5, "ls\r"u8.ToArray()),
            ('O', 0.001, "ls\r\n"u8.ToArray()),
            ('S', 0.3, "SIGWINCH ROWS=20 COLS=90"u8.ToArray()),
            ('O', 0.2, "file.txt\r\n"u8.ToArray()),
        ]);

        var (summary, header, events, _) = Convert(timing, io);

        Assert.Equal(2, header.GetProperty("version").GetInt32());
        Assert.Equal(100, header.GetProperty("width").GetInt32());
        Assert.Equal(30, header.GetProperty("height").GetInt32());
        Assert.Equal("xterm-256color", header.GetProperty("env").GetProperty("TERM").GetString());
        Assert.Equal(["o", "i", "o", "r", "o"], events.Select(e => e[1].GetString()));
        Assert.Equal([0.01, 0.51, 0.511, 0.811, 1.011], events.Select(e => Math.Round(e[0].GetDouble(), 3)));
        Assert.Equal("90x20", events[3][2].GetString());
        Assert.Equal("ls\r", Stream(events, "i"));
        Assert.Equal("$ ls\r\nfile.txt\r\n", Stream(events, "o"));
        Assert.NotNull(summary);
        Assert.False(summary.Truncated);
        Assert.Equal(2.5, summary.Seconds);
    }

    [Fact]
    public void A_secret_is_masked_in_what_was_shown_and_what_was_typed_also_when_cut_between_writes()
    {
        var secret = Encoding.UTF8.GetBytes(Secret);
        var (timing, io) = Logs(
        [
            // Typed a key at a time, as a terminal sends them.
            .. secret.Select(b => ('I', 0.1, new[] { b })),
            // Shown in two writes far apart (a slow program), and once whole.
            ('O', 0.1, [.. "value:"u8.ToArray(), .. secret[..7]]),
            ('O', 0.5, [.. secret[7..], .. " and "u8.ToArray(), .. secret, .. "\r\n"u8.ToArray()]),
        ]);

        var (_, _, events, text) = Convert(timing, io);

        Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
        Assert.DoesNotContain("Sup3rS3", text, StringComparison.Ordinal);
        Assert.DoesNotContain("cretValue42", text, StringComparison.Ordinal);
        Assert.Equal("********", Stream(events, "i"));
        Assert.Equal("value:******** and ********\r\n", Stream(events, "o"));
    }

    [Fact]
    public void Binary_noise_and_cut_characters_give_valid_json_with_the_text_whole()
    {
        var noise = new byte[4096];
        new Random(7).NextBytes(noise);
        var e = "é"u8.ToArray();
        var (timing, io) = Logs(
        [
            ('O', 0.1, [.. "caf"u8.ToArray(), e[0]]),
            ('O', 0.5, [e[1], .. "\r\n"u8.ToArray()]),
            ('O', 0.5, noise),
            ('O', 0.5, [0x00, 0x1b, 0x5b, 0x33, 0x31, 0x6d, 0x07, 0xff, 0xfe, 0x0a]),
            ('O', 0.5, "still here\r\n"u8.ToArray()),
        ]);

        var (summary, _, events, text) = Convert(timing, io);

        // Every line parsed (Convert parses each); the text is as shown, with U+FFFD for what is not UTF-8.
        var shown = Stream(events, "o");
        Assert.StartsWith("café\r\n", shown, StringComparison.Ordinal);
        Assert.Contains("\u0000\u001b[31m\u0007\ufffd\ufffd\n", shown, StringComparison.Ordinal);
        Assert.EndsWith("still here\r\n", shown, StringComparison.Ordinal);
        Assert.Contains("\\u001b[31m", text, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(5, summary!.Events);
    }

    [Fact]
    public void Logs_the_session_account_forged_give_a_bounded_recording_or_none()
    {
        // No script header line in the IO log: not a recording.
        using (var output = new MemoryStream())
        {
            Assert.Null(AsciicastWriter.Convert(new MemoryStream("O 0.1 5\n"u8.ToArray()), new MemoryStream("hello"u8.ToArray()), Secrets, output));
        }

        // Lines that do not parse, sizes past the IO log, a negative or huge delay, a size past the cap: skipped or cut.
        var timing = new MemoryStream(Encoding.ASCII.GetBytes(
            "H 0.0 COLUMNS 99999999\nX 0.1 5\nO -1 5\nO NaN 5\nO 0.1 99999999999\nO 0.1 6\nI 1e308 1\nO 0.2 100\n" + new string('9', 10_000) + "\n"));
        var io = new MemoryStream([.. "Script started\n"u8.ToArray(), .. "hello\n"u8.ToArray(), .. "short"u8.ToArray()]);
        var (summary, header, events, _) = Convert(timing, io);
        Assert.Equal(80, header.GetProperty("width").GetInt32());
        Assert.Equal("hello\nshort", Stream(events, "o"));
        Assert.NotNull(summary);
    }
}
