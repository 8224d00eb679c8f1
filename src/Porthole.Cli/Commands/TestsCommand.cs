using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Porthole.Cli.Client;
using Porthole.Cli.Output;
using Porthole.Contracts.Api;

namespace Porthole.Cli.Commands;

/// <summary>
/// <c>porthole tests JOB</c>: the test results a job's <c>store_test_results</c> steps recorded — the counts, then each
/// failed or errored test with its file and the first line of its message, then (unless <c>--failed</c>) the others, one
/// line each.
/// </summary>
internal static partial class TestsCommand
{
    public static Command Create(CliContext context)
    {
        var jobId = CommonOptions.JobId();
        var attempt = CommonOptions.Attempt();
        var failed = new Option<bool>("--failed") { Description = "Show only the failed and errored tests" };
        var json = CommonOptions.Json();
        var command = new Command("tests", "Show a job's test results: the counts, then the failed and errored tests first") { jobId, attempt, failed, json };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var id = parseResult.GetRequiredValue(jobId);
            var attemptNumber = CommonOptions.CheckAttempt(parseResult.GetValue(attempt));
            using var client = PortholeClient.FromLogin(context);
            var answer = await client.GetAsync(PortholeClient.Path("jobs", id, "tests") + CommonOptions.AttemptQuery(attemptNumber), cancellationToken);
            if (parseResult.GetValue(json))
            {
                await CommonOptions.WriteJsonAsync(context, answer, cancellationToken);
                return ExitCodes.Success;
            }

            Write(context.Output, client.Read<TestResultList>(answer), parseResult.GetValue(failed));
            return ExitCodes.Success;
        });
        return command;
    }

    private static void Write(TextWriter output, TestResultList results, bool failedOnly)
    {
        var items = results.Items ?? [];
        var counts = results.Counts ?? new TestCounts(items.Count, 0, 0, 0, 0);
        if (counts.Total == 0 && items.Count == 0)
        {
            output.WriteLine("No test results.");
            return;
        }

        output.WriteLine(CountsLine(counts));
        if (counts.Ignored > 0)
        {
            output.WriteLine($"{counts.Ignored} more {(counts.Ignored == 1 ? "case was" : "cases were")} not stored: over the server's cap of test cases per node");
        }
        var manyNodes = items.Select(t => t.NodeIndex).Distinct().Count() > 1;
        var broken = items.Where(IsBroken).ToList();
        foreach (var test in broken)
        {
            output.WriteLine();
            var where = new List<string>();
            if (!string.IsNullOrWhiteSpace(test.File))
            {
                where.Add(Printable(test.File));
            }

            if (manyNodes)
            {
                where.Add($"node {test.NodeIndex}");
            }

            var place = where.Count > 0 ? $"  {string.Join(", ", where)}" : "";
            output.WriteLine($"{Word(test.Result)}  {Title(test)}{place}");
            if ((FirstLine(test.Message) ?? FirstLine(test.Details)) is { } line)
            {
                output.WriteLine($"    {line}");
            }
        }

        if (failedOnly)
        {
            if (broken.Count == 0)
            {
                output.WriteLine("No failed tests.");
            }

            return;
        }

        var rest = items.Where(t => !IsBroken(t)).ToList();
        if (rest.Count == 0)
        {
            return;
        }

        output.WriteLine();
        var table = manyNodes ? new Table("RESULT", "TEST", "FILE", "TIME", "NODE") : new Table("RESULT", "TEST", "FILE", "TIME");
        foreach (var test in rest)
        {
            string?[] cells = [Word(test.Result), Title(test), string.IsNullOrWhiteSpace(test.File) ? "-" : Printable(test.File), Seconds(test.RunTime)];
            table.Add(manyNodes ? [.. cells, test.NodeIndex.ToString(CultureInfo.InvariantCulture)] : cells);
        }

        table.WriteTo(output);
    }

    /// <summary>"12 tests: 10 passed, 1 failed, 1 skipped": passed and failed always, errored and skipped when there are any.</summary>
    internal static string CountsLine(TestCounts counts)
    {
        var parts = new List<string> { $"{counts.Passed} passed", $"{counts.Failed} failed" };
        if (counts.Errored > 0)
        {
            parts.Add($"{counts.Errored} errored");
        }

        if (counts.Skipped > 0)
        {
            parts.Add($"{counts.Skipped} skipped");
        }

        return $"{counts.Total} {(counts.Total == 1 ? "test" : "tests")}: {string.Join(", ", parts)}";
    }

    private static bool IsBroken(TestCaseView test) => test.Result is "failure" or "error";

    /// <summary>CircleCI's result words as the counts line says them.</summary>
    private static string Word(string? result) => result switch
    {
        "success" => "passed",
        "failure" => "FAILED",
        "error" => "ERRORED",
        "skipped" => "skipped",
        var other => Printable(other ?? "?"),
    };

    /// <summary>The test's name, with its class when the report gives one: <c>test_add (tests.test_math)</c>.</summary>
    private static string Title(TestCaseView test) =>
        string.IsNullOrWhiteSpace(test.Classname) ? Printable(test.Name ?? "") : $"{Printable(test.Name ?? "")} ({Printable(test.Classname)})";

    private static string Seconds(double seconds) => string.Create(CultureInfo.InvariantCulture, $"{seconds:0.###} s");

    /// <summary>The first line that has text, made printable; null when there is none.</summary>
    private static string? FirstLine(string? text) =>
        text?.Split('\n').Select(l => Printable(l)).FirstOrDefault(l => l.Length > 0);

    /// <summary>
    /// Text from a test report (the job's own output) on one line, without its escape sequences (colour) and other control
    /// characters: a test's message must not drive the terminal of the person reading it.
    /// </summary>
    private static string Printable(string text)
    {
        var withoutEscapes = EscapeSequence().Replace(text, "");
        var kept = new StringBuilder(withoutEscapes.Length);
        foreach (var c in withoutEscapes)
        {
            kept.Append(char.IsControl(c) ? ' ' : c);
        }

        return OneLine.Of(kept.ToString());
    }

    /// <summary>CSI sequences (<c>ESC [ … m</c>), OSC strings (<c>ESC ] … BEL</c>) and two-character escapes.</summary>
    [GeneratedRegex(@"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]")]
    private static partial Regex EscapeSequence();
}
