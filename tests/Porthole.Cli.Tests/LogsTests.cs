using System.Globalization;
using System.Text;

namespace Porthole.Cli.Tests;

public sealed class LogsTests : IDisposable
{
    private const string Esc = "\u001b";

    // A log as a runner writes it: ANSI colour, non-ASCII text, a line with no newline yet.
    private static readonly string[] Pieces =
    [
        "#!/bin/bash -eo pipefail\n",
        $"{Esc}[32m✓{Esc}[0m compiled 12 files in 0.8 s\n",
        "Grüße aus dem Runner — 日本語のログ\n",
        $"{Esc}[31mFAIL{Esc}[0m test/parser_test.go:42 expected 3, got 4\n",
        "exit status 1",
    ];

    // A stored log with colour, bytes that are not UTF-8 and a CRLF.
    private static readonly byte[] StoredLog =
        [.. Encoding.UTF8.GetBytes($"{Esc}[1mbold{Esc}[0m "), 0xff, 0xfe, (byte)'\r', (byte)'\n', .. Encoding.UTF8.GetBytes($"ü{Esc}]0;title\u0007\n")];

    private static readonly byte[] StoredLogWithoutEscapes =
        [.. Encoding.UTF8.GetBytes("bold "), 0xff, 0xfe, (byte)'\r', (byte)'\n', .. Encoding.UTF8.GetBytes("ü\n")];

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    public enum Breakage
    {
        ClosedMidEvent,
        ResetMidEvent,
        EndedWithoutEndEvent,
    }

    [Theory]
    [InlineData(Breakage.ClosedMidEvent, true)]
    [InlineData(Breakage.ClosedMidEvent, false)]
    [InlineData(Breakage.ResetMidEvent, true)]
    [InlineData(Breakage.EndedWithoutEndEvent, true)]
    public async Task Follow_reconnects_after_a_drop_at_the_next_byte_and_loses_or_repeats_nothing(Breakage breakage, bool serverSendsNext)
    {
        var log = string.Concat(Pieces);
        var sentBeforeDrop = Encoding.UTF8.GetByteCount(Pieces[0] + Pieces[1]);
        var connections = 0;
        await using var server = new FakeHttpServer(async (request, response) =>
        {
            Assert.Equal("/api/jobs/12/log/stream", request.Path);
            var offset = long.Parse(request.Query("offset") ?? "0", CultureInfo.InvariantCulture);
            await response.StartChunkedAsync(200, "text/event-stream");
            if (Interlocked.Increment(ref connections) == 1)
            {
                await SendFromAsync(response, offset, upTo: sentBeforeDrop, serverSendsNext);
                switch (breakage)
                {
                    case Breakage.ClosedMidEvent:
                        await response.ChunkAsync("event: log\ndata: {\"offset\":" + sentBeforeDrop + ",\"te");
                        response.Drop();
                        break;
                    case Breakage.ResetMidEvent:
                        await response.ChunkAsync("event: log\ndata: {\"offset\":" + sentBeforeDrop + ",\"te");
                        await Task.Delay(300);
                        response.Reset();
                        break;
                    case Breakage.EndedWithoutEndEvent:
                        await response.EndChunkedAsync();
                        break;
                }

                return;
            }

            await SendFromAsync(response, offset, upTo: long.MaxValue, serverSendsNext);
            await response.ChunkAsync("event: end\ndata: {\"status\":\"success\"}\n\n");
            await response.EndChunkedAsync();
        });

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "logs", "12", "-f", "--color", "always");

        Assert.Equal("", outcome.Stderr);
        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal(Encoding.UTF8.GetBytes(log), outcome.StdoutBytes);
        var requests = server.Requests.ToArray();
        Assert.Equal(2, requests.Length);
        Assert.Null(requests[0].Query("offset"));
        Assert.Equal("0", requests[0].Query("node"));
        Assert.Equal(sentBeforeDrop.ToString(CultureInfo.InvariantCulture), requests[1].Query("offset"));
        Assert.All(requests, r => Assert.Equal("Bearer t0ken", r.Header("Authorization")));
    }

    [Fact]
    public async Task Follow_skips_what_a_server_resends_from_before_the_requested_offset()
    {
        var log = string.Concat(Pieces);
        var connections = 0;
        await using var server = new FakeHttpServer(async (request, response) =>
        {
            await response.StartChunkedAsync(200, "text/event-stream");
            if (Interlocked.Increment(ref connections) == 1)
            {
                await SendFromAsync(response, 0, upTo: Encoding.UTF8.GetByteCount(Pieces[0] + Pieces[1] + Pieces[2]), sendNext: true);
                response.Drop();
                return;
            }

            // A careless server that starts over from the beginning: the client must not print anything twice.
            await SendFromAsync(response, 0, upTo: long.MaxValue, sendNext: true);
            await response.ChunkAsync("event: end\ndata: {\"status\":\"success\"}\n\n");
            await response.EndChunkedAsync();
        });

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "logs", "12", "--follow", "--color", "always");

        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal(log, outcome.Stdout);
    }

    [Fact]
    public async Task Follow_of_a_failed_node_exits_1_with_a_last_line_on_stderr()
    {
        await using var server = new FakeHttpServer(async (request, response) =>
        {
            await response.StartChunkedAsync(200, "text/event-stream");
            await response.ChunkAsync(": connected\n\n");
            await SendFromAsync(response, 0, long.MaxValue, sendNext: true);
            await response.ChunkAsync("event: end\ndata: {\"status\":\"failed\"}\n\n");
            await response.EndChunkedAsync();
        });

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "logs", "12", "--node", "1", "--attempt", "2", "-f", "--color", "always");

        Assert.Equal(1, outcome.ExitCode);
        Assert.Equal(string.Concat(Pieces), outcome.Stdout);
        Assert.Equal("job 12 node 1: failed\n", outcome.Stderr);
        var request = Assert.Single(server.Requests);
        Assert.Equal("1", request.Query("node"));
        Assert.Equal("2", request.Query("attempt"));
    }

    [Fact]
    public async Task Follow_gives_up_with_one_line_when_the_server_stays_away()
    {
        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(FakeHttpServer.ClosedUrl(), _folder), "logs", "12", "-f");

        Assert.Equal(1, outcome.ExitCode);
        var line = Assert.Single(outcome.StderrLines);
        Assert.StartsWith("error: the log stream of job 12 node 0 broke off", line, StringComparison.Ordinal);
        Assert.Contains("cannot reach the server at", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logs_with_color_always_copies_the_stored_bytes_as_they_are()
    {
        await using var server = StoredLogServer();

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "logs", "12", "-n", "2", "-a", "1", "--color", "always");

        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal(StoredLog, outcome.StdoutBytes);
        var request = Assert.Single(server.Requests);
        Assert.Equal("2", request.Query("node"));
        Assert.Equal("1", request.Query("attempt"));
    }

    [Fact]
    public async Task Logs_into_a_file_or_pipe_leave_out_escape_sequences_and_keep_every_other_byte()
    {
        await using var server = StoredLogServer();

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "logs", "12");

        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal(StoredLogWithoutEscapes, outcome.StdoutBytes);
    }

    [Theory]
    [InlineData("auto", true)]
    [InlineData("always", true)]
    [InlineData("never", false)]
    public async Task Logs_on_a_terminal_keep_the_colour_unless_told_never(string color, bool kept)
    {
        await using var server = StoredLogServer();

        var outcome = await CliRunner.RunOnTerminalAsync(CliRunner.LoggedIn(server.Url, _folder), "logs", "12", "--color", color);

        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal(kept ? StoredLog : StoredLogWithoutEscapes, outcome.StdoutBytes);
    }

    [Fact]
    public async Task Follow_into_a_pipe_leaves_out_a_sequence_split_across_two_events()
    {
        await using var server = new FakeHttpServer(async (request, response) =>
        {
            await response.StartChunkedAsync(200, "text/event-stream");
            await response.ChunkAsync("event: log\ndata: {\"offset\":0,\"next\":6,\"text\":\"ok \\u001b[3\"}\n\n");
            await response.ChunkAsync("event: log\ndata: {\"offset\":6,\"next\":19,\"text\":\"2mpassed\\u001b[0m\\n\"}\n\n");
            await response.ChunkAsync("event: end\ndata: {\"status\":\"success\"}\n\n");
            await response.EndChunkedAsync();
        });

        var redirected = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "logs", "12", "-f");
        var always = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "logs", "12", "-f", "--color", "always");

        Assert.Equal(0, redirected.ExitCode);
        Assert.Equal("ok passed\n", redirected.Stdout);
        Assert.Equal($"ok {Esc}[32mpassed{Esc}[0m\n", always.Stdout);
    }

    [Fact]
    public async Task Color_takes_auto_always_or_never_only()
    {
        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(FakeHttpServer.ClosedUrl(), _folder), "logs", "12", "--color", "sometimes");

        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains("sometimes", Assert.Single(outcome.StderrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logs_of_a_pipeline_id_prints_the_servers_reason_on_one_line()
    {
        await using var server = new FakeHttpServer((request, response) =>
            response.ProblemAsync(404, "Not found", "7 is a pipeline id, not a job id: its jobs are job 8, job 9", "pipeline_id_not_job_id"));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "logs", "7", "-f");

        Assert.Equal(1, outcome.ExitCode);
        Assert.Equal("error: 7 is a pipeline id, not a job id: its jobs are job 8, job 9 (pipeline_id_not_job_id)\n", outcome.Stderr);
        Assert.Single(server.Requests);
    }

    private static FakeHttpServer StoredLogServer() => new((request, response) =>
        request.Path == "/api/jobs/12/log"
            ? response.BytesAsync(200, "text/plain; charset=utf-8", StoredLog)
            : response.ProblemAsync(404, "Not found", "no such route", "not_found"));

    /// <summary>Sends the log from a byte offset as the real server does: one event per piece, with offsets in bytes.</summary>
    private static async Task SendFromAsync(FakeResponse response, long from, long upTo, bool sendNext)
    {
        long offset = 0;
        foreach (var piece in Pieces)
        {
            var length = Encoding.UTF8.GetByteCount(piece);
            if (offset >= from && offset + length <= upTo)
            {
                var text = System.Text.Json.JsonSerializer.Serialize(piece);
                var next = sendNext ? $",\"next\":{offset + length}" : "";
                await response.ChunkAsync($"event: log\ndata: {{\"offset\":{offset}{next},\"text\":{text}}}\n\n");
            }

            offset += length;
        }
    }
}
