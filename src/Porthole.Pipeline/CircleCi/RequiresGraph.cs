namespace Porthole.Pipeline.CircleCi;

/// <summary>Checks that a workflow's <c>requires</c> name jobs of the same workflow and make no cycle, and orders jobs by them.</summary>
internal static class RequiresGraph
{
    /// <summary>
    /// The jobs with every job after the jobs it requires (Kahn's algorithm, ties in list order); a requires naming no
    /// job of the workflow is left out of the order. Jobs on a cycle (an error already) come last, in list order.
    /// </summary>
    public static IReadOnlyList<WorkflowJob> DependencyOrder(IReadOnlyList<WorkflowJob> jobs)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < jobs.Count; i++)
        {
            index.TryAdd(jobs[i].Name, i);
        }

        var waiting = new int[jobs.Count];
        var dependents = new List<int>[jobs.Count];
        for (var i = 0; i < jobs.Count; i++)
        {
            dependents[i] = [];
        }

        for (var i = 0; i < jobs.Count; i++)
        {
            foreach (var required in jobs[i].Requires.Select(r => r.Name).Distinct(StringComparer.Ordinal))
            {
                if (index.TryGetValue(required, out var upstream) && upstream != i)
                {
                    waiting[i]++;
                    dependents[upstream].Add(i);
                }
            }
        }

        var ready = new PriorityQueue<int, int>();
        for (var i = 0; i < jobs.Count; i++)
        {
            if (waiting[i] == 0)
            {
                ready.Enqueue(i, i);
            }
        }

        var order = new List<WorkflowJob>(jobs.Count);
        var placed = new bool[jobs.Count];
        while (ready.TryDequeue(out var next, out _))
        {
            order.Add(jobs[next]);
            placed[next] = true;
            foreach (var dependent in dependents[next])
            {
                waiting[dependent]--;
                if (waiting[dependent] == 0)
                {
                    ready.Enqueue(dependent, dependent);
                }
            }
        }

        order.AddRange(jobs.Where((_, i) => !placed[i]));
        return order;
    }

    public static void Check(string workflow, IReadOnlyList<WorkflowJob> jobs, ErrorList errors)
    {
        var byName = jobs.ToDictionary(job => job.Name, StringComparer.Ordinal);
        foreach (var job in jobs)
        {
            foreach (var required in job.Requires.Where(required => !byName.ContainsKey(required.Name)))
            {
                errors.Add(required.At, $"'{required.Name}' in requires is not a job of workflow '{workflow}'");
            }
        }

        FindCycles(workflow, jobs, byName, errors);
    }

    /// <summary>
    /// Depth-first search without recursion (a generated config may chain thousands of jobs); every edge back
    /// to a job still on the path closes a cycle, reported at that requires entry.
    /// </summary>
    private static void FindCycles(string workflow, IReadOnlyList<WorkflowJob> jobs, Dictionary<string, WorkflowJob> byName, ErrorList errors)
    {
        var done = new HashSet<string>(StringComparer.Ordinal);
        var onPath = new HashSet<string>(StringComparer.Ordinal);
        var path = new List<(WorkflowJob Job, int Next)>();
        foreach (var root in jobs)
        {
            if (done.Contains(root.Name))
            {
                continue;
            }

            path.Add((root, 0));
            onPath.Add(root.Name);
            while (path.Count > 0)
            {
                var (job, next) = path[^1];
                if (next == job.Requires.Count)
                {
                    path.RemoveAt(path.Count - 1);
                    onPath.Remove(job.Name);
                    done.Add(job.Name);
                    continue;
                }

                path[^1] = (job, next + 1);
                var required = job.Requires[next];
                if (!byName.TryGetValue(required.Name, out var target) || done.Contains(target.Name))
                {
                    continue;
                }

                if (onPath.Contains(target.Name))
                {
                    var start = path.FindIndex(step => step.Job.Name == target.Name);
                    var cycle = path.Skip(start).Select(step => step.Job.Name).Append(target.Name);
                    errors.Add(required.At, $"requires cycle in workflow '{workflow}': {string.Join(" → ", cycle)}");
                    continue;
                }

                path.Add((target, 0));
                onPath.Add(target.Name);
            }
        }
    }
}
