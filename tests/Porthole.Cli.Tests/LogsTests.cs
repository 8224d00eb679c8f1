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

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "logs", "12", "-f");

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

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "logs", "12", "--follow");

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

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "logs", "12", "--node", "1", "--attempt", "2", "-f");

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
    public async Task Logs_without_follow_copies_the_stored_bytes_as_they_are()
    {
        byte[] stored = [.. Encoding.UTF8.GetBytes($"{Esc}[1mbold{Esc}[0m "), 0xff, 0xfe, (byte)'\r', (byte)'\n', .. Encoding.UTF8.GetBytes("ü\n")];
        await using var server = new FakeHttpServer((request, response) =>
            request.Path == "/api/jobs/12/log"
                ? response.BytesAsync(200, "text/plain; charset=utf-8", stored)
                : response.ProblemAsync(404, "Not found", "no such route", "not_found"));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "logs", "12", "-n", "2", "-a", "1");

        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal(stored, outcome.StdoutBytes);
        var request = Assert.Single(server.Requests);
        Assert.Equal("2", request.Query("node"));
        Assert.Equal("1", request.Query("attempt"));
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
