using Porthole.Contracts.Plans;

namespace Porthole.Contracts.Runners;

/// <summary>
/// Which runners may take a job (issue 14): a job needs labels, a runner has labels, and a runner takes a job only when
/// its labels cover every label the job needs. A job needs its executor kind (<c>docker</c>, <c>machine</c> for
/// CircleCI's machine executor and a plain shell job, <c>macos</c>, <c>windows</c>) and, when its <c>resource_class</c>
/// names a runner class (CircleCI's self-hosted form <c>namespace/name</c>), that class. A size (<c>small</c>,
/// <c>large</c>, …) is not a label: it is a hosted machine's size, and every runner here takes it.
/// A Linux runner has <see cref="LinuxKinds"/> besides the labels it is given.
/// </summary>
public static class RunnerLabels
{
    /// <summary>What every Linux runner can run, whatever else it is labelled.</summary>
    public static IReadOnlyList<string> LinuxKinds { get; } = ["linux", "docker", "machine"];

    /// <summary>The labels <paramref name="job"/> needs, sorted.</summary>
    public static IReadOnlyList<string> Required(JobPlan job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var labels = new SortedSet<string>(StringComparer.Ordinal) { Kind(job.Executor.Kind) };
        if (job.ResourceClass is { } resourceClass && resourceClass.Contains('/', StringComparison.Ordinal))
        {
            labels.Add(resourceClass.Trim());
        }

        return [.. labels];
    }

    /// <summary>A runner's whole label set: the kinds a Linux runner runs, and what it was given.</summary>
    public static IReadOnlyList<string> Effective(IEnumerable<string> given) =>
        [.. LinuxKinds.Concat(given).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    /// <summary>Whether a runner with <paramref name="runner"/> (its effective labels) may take a job needing <paramref name="required"/>.</summary>
    public static bool Covers(IEnumerable<string> runner, IEnumerable<string> required)
    {
        var have = runner as IReadOnlySet<string> ?? new HashSet<string>(runner, StringComparer.Ordinal);
        return required.All(have.Contains);
    }

    /// <summary>Labels stored in one column: sorted, comma-separated (a label has no comma).</summary>
    public static string Format(IEnumerable<string> labels) => string.Join(',', labels);

    public static IReadOnlyList<string> Parse(string? text) =>
        string.IsNullOrEmpty(text) ? [] : text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string Kind(ExecutorKind kind) => kind switch
    {
        ExecutorKind.Docker => "docker",
        ExecutorKind.MacOs => "macos",
        ExecutorKind.Windows => "windows",
        _ => "machine",
    };
}
