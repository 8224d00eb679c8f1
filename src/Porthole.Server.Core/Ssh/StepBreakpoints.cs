using System.Globalization;
using System.Net;
using System.Text.Json;
using Porthole.Contracts.Api;
using Porthole.Contracts.Plans;
using Porthole.Data;
using Porthole.Server.Api;
using Porthole.Server.Pipelines;

namespace Porthole.Server.Ssh;

/// <summary>
/// The step a breakpoint names (R-BEY-4): its index in the job's plan, from 0 (as <c>porthole_run_step N</c> numbers them),
/// or its name, exactly. A step that is not there is refused with the job's steps, a name two steps share with their
/// indexes; the same words for the API, the CLI and the web.
/// </summary>
public static class StepBreakpoints
{
    public const string BothRefusal = "A run stops at one breakpoint: give break_before or break_on_failure, not both.";

    /// <summary>The names of the job's steps, in the plan's order.</summary>
    public static IReadOnlyList<string> Steps(JobRecord job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var plan = JsonSerializer.Deserialize<JobPlan>(job.Plan, PlanJson.Options);
        return plan is null ? [] : [.. plan.Steps.Select(s => s.Name)];
    }

    /// <summary>
    /// The breakpoint a request asks for: none (both left out), before the step <paramref name="before"/> names, or at the
    /// first failure; both at once is refused (one breakpoint per run).
    /// </summary>
    public static (Breakpoint? Breakpoint, Refusal? Refusal) Resolve(JobRecord job, string? before, bool onFailure)
    {
        if (before is not null && onFailure)
        {
            return (null, Refusal.BadRequest(ErrorCodes.InvalidRequest, BothRefusal));
        }

        if (onFailure)
        {
            return (Breakpoint.AtFailure, null);
        }

        if (before is null)
        {
            return (null, null);
        }

        var (index, refusal) = Resolve(job, before);
        return index is { } found ? (Breakpoint.BeforeStep(found), null) : (null, refusal);
    }

    /// <summary>The index of the step <paramref name="step"/> names in <paramref name="job"/>, or why there is none.</summary>
    public static (int? Index, Refusal? Refusal) Resolve(JobRecord job, string step)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(step);
        var steps = Steps(job);
        if (int.TryParse(step, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            return index < steps.Count ? (index, null) : (null, NotFound(job, steps, step));
        }

        var named = Enumerable.Range(0, steps.Count).Where(i => string.Equals(steps[i], step, StringComparison.Ordinal)).ToList();
        return named switch
        {
            [var only] => (only, null),
            [] => (null, NotFound(job, steps, step)),
            _ => (null, new Refusal((int)HttpStatusCode.UnprocessableEntity, ErrorCodes.StepAmbiguous,
                $"Job {job.Id} has {named.Count} steps named '{MessageText.Shorten(step)}' ({Indexes(named)}): give the step's index instead.")),
        };
    }

    /// <summary>
    /// Where a debug attempt stops, for a message: "runs the steps before step 2 (Run tests), then stops there", "runs the
    /// steps and stops at the first that fails"; null without a breakpoint.
    /// </summary>
    public static string? Stops(JobRecord job, AttemptRecord attempt)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        if (attempt.BreakOnFailure)
        {
            return "runs the steps and stops at the first that fails";
        }

        return attempt.BreakBefore is { } before ? $"runs the steps before step {Describe(Steps(job), before)}, then stops there" : null;
    }

    /// <summary>"2 (Run tests)": a step as a message names it.</summary>
    public static string Describe(IReadOnlyList<string> steps, int index)
    {
        ArgumentNullException.ThrowIfNull(steps);
        var number = index.ToString(CultureInfo.InvariantCulture);
        return index >= 0 && index < steps.Count ? $"{number} ({MessageText.Shorten(steps[index])})" : number;
    }

    private static Refusal NotFound(JobRecord job, IReadOnlyList<string> steps, string step)
    {
        var listed = steps.Count == 0
            ? "It has no steps."
            : "Its steps: " + string.Join(", ", steps.Select((name, i) => Listed(i, name))) + ".";
        return new Refusal((int)HttpStatusCode.UnprocessableEntity, ErrorCodes.StepNotFound, $"Job {job.Id} has no step '{MessageText.Shorten(step)}'. {listed}");
    }

    /// <summary>"2 Run tests": a step in the list of a refusal.</summary>
    private static string Listed(int index, string name) =>
        string.Create(CultureInfo.InvariantCulture, $"{index} {MessageText.Shorten(name)}");

    private static string Indexes(List<int> indexes) =>
        "steps " + string.Join(indexes.Count == 2 ? " and " : ", ", indexes.Select(i => i.ToString(CultureInfo.InvariantCulture)));
}
