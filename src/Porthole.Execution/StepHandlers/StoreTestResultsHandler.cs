using System.Text;
using Porthole.Contracts.Plans;
using Porthole.Contracts.Runners;
using Porthole.Execution.JobData;
using Porthole.Execution.Logging;

namespace Porthole.Execution.StepHandlers;

/// <summary>
/// <c>store_test_results</c> (dialects.md §A5): a JUnit XML file, or every <c>*.xml</c> below a folder, read on the
/// runner (no DTD, bounded) into test cases, masked and sent to the server. A file that is not JUnit XML is named in the
/// log and passed over; a missing path is a warning.
/// </summary>
internal sealed class StoreTestResultsHandler : IStepHandler
{
    /// <summary>The most test cases one step records; the rest are counted and said.</summary>
    internal const int MaxCases = 100_000;

    private const int Batch = 1000;

    public async Task<int> RunAsync(StepPlan step, StepScope scope)
    {
        var plan = step.StoreTestResults ?? throw new StepFailedException("The store_test_results step has no path.");
        var server = scope.RequireServer();
        var path = NodePaths.Resolve(scope, plan.Path);
        var cases = new List<TestCaseResult>();
        var files = 0;
        var total = 0;
        var dropped = 0;
        var found = await NodeFileTree.ReadAsync(scope, path, async file =>
        {
            if (file.Below.Length > 0 && !file.Below.EndsWith(".xml", StringComparison.OrdinalIgnoreCase))
            {
                return;
            }

            files++;
            var source = file.Below.Length == 0 ? Path.GetFileName(file.Relative) : file.Below;
            var read = await new JUnitReader(Math.Max(1, MaxCases - total)).ReadAsync(file.Content, source, scope.Stopping);
            if (read.Problem is { } problem)
            {
                await scope.SayAsync($"Warning: {source}: {problem}");
            }

            foreach (var result in read.Cases)
            {
                if (total >= MaxCases)
                {
                    dropped++;
                    continue;
                }

                total++;
                cases.Add(Masked(scope.Masker, result) with { Source = source });
                if (cases.Count >= Batch)
                {
                    await server.StoreTestResultsAsync(scope.Assignment.NodeId, [.. cases], CancellationToken.None);
                    cases.Clear();
                }
            }
        });

        if (!found)
        {
            await scope.SayAsync($"Warning: skipping this step: {path} does not exist.");
            return 0;
        }

        if (cases.Count > 0)
        {
            await server.StoreTestResultsAsync(scope.Assignment.NodeId, [.. cases], CancellationToken.None);
        }

        await scope.SayAsync($"Read {total} test{(total == 1 ? string.Empty : "s")} from {files} file{(files == 1 ? string.Empty : "s")}.");
        if (dropped > 0)
        {
            await scope.SayAsync($"Warning: {dropped} more tests were not recorded: a step records at most {MaxCases}.");
        }

        return 0;
    }

    private static TestCaseResult Masked(SecretMasker masker, TestCaseResult result) =>
        masker.IsEmpty
            ? result
            : result with
            {
                Name = Mask(masker, result.Name)!,
                ClassName = Mask(masker, result.ClassName)!,
                Message = Mask(masker, result.Message),
                Details = Mask(masker, result.Details),
            };

    /// <summary>The text with every secret the masker knows replaced by the log's mask.</summary>
    internal static string? Mask(SecretMasker masker, string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }

        var bytes = Encoding.UTF8.GetBytes(text);
        var matches = new List<Range>();
        masker.FindMatches(bytes, matches);
        if (matches.Count == 0)
        {
            return text;
        }

        var output = new StringBuilder(text.Length);
        var at = 0;
        foreach (var match in matches)
        {
            output.Append(Encoding.UTF8.GetString(bytes, at, match.Start.Value - at)).Append(SecretValues.Mask);
            at = match.End.Value;
        }

        return output.Append(Encoding.UTF8.GetString(bytes, at, bytes.Length - at)).ToString();
    }
}
