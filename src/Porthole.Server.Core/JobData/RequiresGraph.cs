namespace Porthole.Server.JobData;

/// <summary>A workflow's jobs and their <c>requires</c>: ancestors, whether one job comes after another, and workflow order.</summary>
public sealed class RequiresGraph
{
    private readonly List<string> _names;
    private readonly Dictionary<string, IReadOnlyList<string>> _requires;
    private readonly Dictionary<string, HashSet<string>> _ancestors = new(StringComparer.Ordinal);

    /// <param name="jobs">The workflow's jobs in their stored order (which breaks ties in <see cref="InOrder"/>).</param>
    public RequiresGraph(IEnumerable<(string Name, IReadOnlyList<string> Requires)> jobs)
    {
        var list = jobs.ToList();
        _names = [.. list.Select(j => j.Name)];
        _requires = list.ToDictionary(j => j.Name, j => j.Requires, StringComparer.Ordinal);
    }

    /// <summary>Every job <paramref name="job"/> requires, directly or through others.</summary>
    public IReadOnlySet<string> Ancestors(string job)
    {
        if (_ancestors.TryGetValue(job, out var known))
        {
            return known;
        }

        var found = new HashSet<string>(StringComparer.Ordinal);
        var waiting = new Stack<string>(_requires.GetValueOrDefault(job) ?? []);
        while (waiting.TryPop(out var name))
        {
            if (_requires.ContainsKey(name) && found.Add(name))
            {
                foreach (var required in _requires[name])
                {
                    waiting.Push(required);
                }
            }
        }

        _ancestors[job] = found;
        return found;
    }

    /// <summary>Whether one of the two requires the other, directly or not: then they did not run at the same time.</summary>
    public bool Ordered(string a, string b) => Ancestors(a).Contains(b) || Ancestors(b).Contains(a);

    /// <summary><paramref name="jobs"/> with each after every job of them it requires; otherwise in stored order.</summary>
    public IReadOnlyList<string> InOrder(IReadOnlySet<string> jobs)
    {
        var ordered = new List<string>();
        var placed = new HashSet<string>(StringComparer.Ordinal);
        while (ordered.Count < jobs.Count)
        {
            var next = _names.FirstOrDefault(n => jobs.Contains(n) && !placed.Contains(n)
                && _requires[n].Where(jobs.Contains).All(placed.Contains));
            if (next is null)
            {
                // A cycle cannot be planned; should one be stored, the rest follows in stored order.
                next = _names.First(n => jobs.Contains(n) && !placed.Contains(n));
            }

            ordered.Add(next);
            placed.Add(next);
        }

        return ordered;
    }
}
