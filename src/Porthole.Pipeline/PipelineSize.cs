using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline;

/// <summary>
/// Counts a pipeline's jobs and nodes as a reader plans them, and reports the first job over
/// <see cref="ConfigReaderOptions.MaxJobs"/> or <see cref="ConfigReaderOptions.MaxNodes"/> at the entry that makes it;
/// the jobs after it are not reported again.
/// </summary>
internal sealed class PipelineSize(ConfigReaderOptions options, ErrorList errors, string splitAdvice)
{
    private int _jobs;
    private long _nodes;

    public bool IsOver { get; private set; }

    /// <summary>Counts one job of <paramref name="parallelism"/> nodes made by the entry at <paramref name="at"/>; false once over a cap.</summary>
    public bool Add(Node at, int parallelism)
    {
        if (IsOver)
        {
            return false;
        }

        _jobs++;
        _nodes += Math.Max(1, parallelism);
        if (_jobs > options.MaxJobs)
        {
            errors.Add(at, $"this pipeline would have more than {options.MaxJobs} jobs (the server's {options.MaxJobsSetting}); {splitAdvice} or raise the setting");
            IsOver = true;
        }
        else if (_nodes > options.MaxNodes)
        {
            errors.Add(at, $"this pipeline would have more than {options.MaxNodes} nodes, parallelism included ({ConfigReaderOptions.NodesPerJob} × the server's {options.MaxJobsSetting}); lower the parallelism, {splitAdvice} or raise the setting");
            IsOver = true;
        }

        return !IsOver;
    }
}
