using Porthole.Contracts.Plans;

namespace Porthole.Runner;

/// <summary>
/// The runner's image table (<c>Runner:Images</c>): which image serves a Travis job's language version or service
/// (<see cref="ImageChoice"/>) on this runner, instead of the official image the plan names, or where the plan names
/// none (ruby-head, php nightly, …). A key is <c>"&lt;name&gt; &lt;version&gt;"</c> (<c>"python 3.8"</c>,
/// <c>"ruby ruby-head"</c>) or a bare <c>"&lt;name&gt;"</c> for every version (<c>"redis"</c>, <c>"node_js"</c>); the
/// exact key wins over the bare name. Keys are compared ignoring case, as configuration keys are.
/// </summary>
public sealed class ImageTable
{
    /// <summary>The setting's path, as messages name it.</summary>
    public const string Setting = RunnerOptions.Section + ":" + nameof(RunnerOptions.Images);

    private readonly Dictionary<string, string> _images = new(StringComparer.OrdinalIgnoreCase);

    /// <param name="images">The table as configured; its keys are normalised (spaces trimmed and collapsed).</param>
    public ImageTable(IReadOnlyDictionary<string, string> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        foreach (var (key, image) in images)
        {
            _images[Normalised(key)] = image.Trim();
        }
    }

    /// <summary>What is wrong with a table, one line per entry; empty when nothing is.</summary>
    public static IReadOnlyList<string> Problems(IReadOnlyDictionary<string, string>? images)
    {
        var problems = new List<string>();
        foreach (var (key, image) in images ?? new Dictionary<string, string>())
        {
            var words = Normalised(key).Split(' ');
            if (words is [""] || words.Length > 2)
            {
                problems.Add($"{Setting}:{key} is not a choice: a key is a Travis language or service, optionally a space and a version (\"python 3.8\", \"redis\").");
            }

            if (string.IsNullOrWhiteSpace(image) || image.Trim().Any(char.IsWhiteSpace))
            {
                problems.Add($"{Setting}:{key} must be an image reference such as python:3.8 or registry.example/redis:7, found '{image}'.");
            }
        }

        return problems;
    }

    /// <summary>The image this runner maps <paramref name="choice"/> to: the exact key first, then the bare name; null when neither is set.</summary>
    public string? Find(ImageChoice choice)
    {
        ArgumentNullException.ThrowIfNull(choice);
        return Find(_images, choice);
    }

    /// <summary>
    /// The executor with each chosen container's image replaced: from <paramref name="projectImages"/> (the project's
    /// table, <see cref="Contracts.Runners.NodeAssignment.ProjectImages"/>) first, then from this runner's table; the primary's
    /// also as <see cref="ExecutorSpec.Image"/>. A container without a <see cref="ContainerSpec.Choice"/> keeps its image.
    /// </summary>
    public ExecutorSpec Apply(ExecutorSpec executor, IReadOnlyDictionary<string, string>? projectImages = null)
    {
        ArgumentNullException.ThrowIfNull(executor);
        var project = projectImages is { Count: > 0 } given ? new ImageTable(given) : null;
        if ((_images.Count == 0 && project is null) || !executor.Containers.Any(c => c.Choice is not null))
        {
            return executor;
        }

        var containers = executor.Containers
            .Select(container => container.Choice is { } choice && (project?.Find(choice) ?? Find(choice)) is { } image ? container with { Image = image } : container)
            .ToList();
        return executor with { Image = containers[0].Image, Containers = containers };
    }

    /// <summary>
    /// Why the (applied) executor cannot run: the first chosen container still without an image, naming the choice, why it
    /// has no default, and the setting that would serve it. Null when every container has an image.
    /// </summary>
    public static string? Refusal(ExecutorSpec executor)
    {
        ArgumentNullException.ThrowIfNull(executor);
        if (executor.Containers.FirstOrDefault(c => c.Choice is not null && string.IsNullOrWhiteSpace(c.Image)) is not { Choice: { } choice })
        {
            return null;
        }

        var what = choice.Kind == ImageChoiceKind.Service ? $"The service {choice}" : $"The job's {choice}";
        var why = choice.Unavailable is { Length: > 0 } reason ? $" ({reason})" : "";
        var bare = choice.Version is null ? "" : $" (or {Setting}:{choice.Name} for every version)";
        return $"{what} has no image on this runner{why}. Set {Setting}:{choice}{bare} to an image that serves it, " +
            $"or map '{choice}' in the project's image table.";
    }

    private static string? Find(Dictionary<string, string> images, ImageChoice choice) =>
        images.TryGetValue(Normalised(choice.ToString()), out var exact) ? exact
        : images.TryGetValue(Normalised(choice.Name), out var any) ? any
        : null;

    /// <summary>"python  3.8 " → "python 3.8".</summary>
    private static string Normalised(string key) =>
        string.Join(' ', key.Split(' ', '\t').Where(word => word.Length > 0));
}
