using System.CommandLine;
using System.Globalization;
using Porthole.Cli.Client;
using Porthole.Cli.Output;
using Porthole.Contracts.Api;

namespace Porthole.Cli.Commands;

/// <summary>
/// <c>porthole recordings JOB</c>: the recorded SSH and debug sessions of a job's attempt (R-BEY-2) — id, node, who, how,
/// when, how long, how big — or with <c>--download ID</c> one recording itself, an asciicast file for <c>asciinema play</c>.
/// </summary>
internal static class RecordingsCommand
{
    public static Command Create(CliContext context)
    {
        var jobId = CommonOptions.JobId();
        var attempt = CommonOptions.Attempt();
        var download = new Option<long?>("--download", "-d")
        {
            Description = "Download the recording with this id (as listed) instead of listing them",
            HelpName = "ID",
        };
        var output = new Option<string>("--output", "-o")
        {
            Description = "The file to write (or a folder to write it in); default the server's name for it, job-JOB-node-N-session-ID.cast, here",
            HelpName = "FILE",
        };
        var force = new Option<bool>("--force") { Description = "Replace the file if it exists" };
        var json = CommonOptions.Json();
        var command = new Command("recordings", "List a job's recorded SSH and debug sessions, or download one with --download ID")
        {
            jobId, attempt, download, output, force, json,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var id = parseResult.GetRequiredValue(jobId);
            var attemptNumber = CommonOptions.CheckAttempt(parseResult.GetValue(attempt));
            var recording = parseResult.GetValue(download);
            if (recording is null && (parseResult.GetValue(output) is not null || parseResult.GetValue(force)))
            {
                throw CliException.Usage("--output and --force go with --download ID");
            }

            if (recording is not null && parseResult.GetValue(json))
            {
                throw CliException.Usage("--json prints the list; it cannot be combined with --download");
            }

            if (recording is < 1)
            {
                throw CliException.Usage("--download takes a recording's id, as 'porthole recordings JOB' lists it: 1 or more");
            }

            using var client = PortholeClient.FromLogin(context);
            if (recording is { } recordingId)
            {
                var file = await RecordingDownload.SaveAsync(
                    client, id, recordingId, attemptNumber, parseResult.GetValue(output), parseResult.GetValue(force), cancellationToken);
                await context.Output.WriteLineAsync(
                    $"Session recording {recordingId} of job {id} saved to {file.Path} ({Format.Size(file.Size)}); play it with: asciinema play {file.Path}");
                return ExitCodes.Success;
            }

            var answer = await client.GetAsync(PortholeClient.Path("jobs", id, "recordings") + CommonOptions.AttemptQuery(attemptNumber), cancellationToken);
            if (parseResult.GetValue(json))
            {
                await CommonOptions.WriteJsonAsync(context, answer, cancellationToken);
                return ExitCodes.Success;
            }

            var recordings = client.Read<SessionRecordingList>(answer).Items ?? [];
            if (recordings.Count == 0)
            {
                await context.Output.WriteLineAsync(
                    "No session recordings: nobody entered this attempt over SSH or a debug session, or the project's session_recording was off.");
                return ExitCodes.Success;
            }

            var table = new Table("ID", "NODE", "USER", "VIA", "STARTED", "LENGTH", "SIZE");
            foreach (var item in recordings)
            {
                table.Add(
                    item.Id.ToString(CultureInfo.InvariantCulture),
                    item.NodeIndex.ToString(CultureInfo.InvariantCulture),
                    Format.Text(item.UserName),
                    Format.Text(item.Via),
                    Format.Time(item.StartedAt),
                    Length(item.Seconds),
                    Format.Size(item.Size) + (item.Truncated ? " (cut at the cap)" : ""));
            }

            table.WriteTo(context.Output);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>A recording's length: <c>42s</c>, <c>3m 07s</c>, <c>1h 02m</c>.</summary>
    internal static string Length(double seconds)
    {
        var length = TimeSpan.FromSeconds(double.IsFinite(seconds) && seconds > 0 ? Math.Round(seconds) : 0);
        return length.TotalMinutes < 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)length.TotalSeconds}s")
            : length.TotalHours < 1
                ? string.Create(CultureInfo.InvariantCulture, $"{(int)length.TotalMinutes}m {length.Seconds:00}s")
                : string.Create(CultureInfo.InvariantCulture, $"{(int)length.TotalHours}h {length.Minutes:00}m");
    }
}
