using System.Numerics;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.CircleCi.Compiler;

/// <summary>
/// Expands a <c>matrix:</c> (dialects.md §A2): the Cartesian product of the parameter lists, minus each <c>exclude</c>
/// combination. Instances come in declaration order with the first parameter varying slowest, as nested loops over
/// <c>parameters:</c> in the order written. A default name joins the job and the values in alphabetical order of
/// parameter name (<c>build-macos-0.1</c> for <c>version: [0.1], platform: [macos]</c>; §14.1: the order CircleCI
/// uses is not documented, and both documented examples fit this one).
/// </summary>
internal static class MatrixExpander
{
    /// <summary>The most jobs one matrix may make; checked before any is built.</summary>
    public const int MaxInstances = 1000;

    /// <summary>The matrix of job <paramref name="job"/>; null (with errors) when it is not a valid one.</summary>
    public static MatrixSpec? Read(Node matrix, string job, ErrorList errors)
    {
        if (Expect.Map(matrix, "matrix", errors) is not { } map)
        {
            return null;
        }

        var valid = true;
        foreach (var entry in map.Entries.Where(entry => entry.Name is not ("parameters" or "exclude" or "alias")))
        {
            errors.Add(entry.Key, $"unknown matrix key '{entry.Name}'; a matrix takes parameters, exclude and alias");
            valid = false;
        }

        if (!map.TryGet("parameters", out var parametersEntry))
        {
            errors.Add(matrix, $"the matrix of job '{job}' needs parameters: a map of parameter names to lists of values");
            return null;
        }

        var parameters = ReadParameters(parametersEntry.Value, errors);
        var alias = map.Get("alias") is { } aliasNode ? Expect.Text(aliasNode, "the matrix alias", errors) : job;
        if (parameters is null || alias is null)
        {
            return null;
        }

        var excluded = map.Get("exclude") is { } exclude ? ReadExcludes(exclude, parameters, errors) : [];
        if (excluded is null || !valid)
        {
            return null;
        }

        var count = Count(parameters) - excluded.Count;
        if (count > MaxInstances)
        {
            errors.Add(matrix, $"the matrix of job '{job}' would make {count} jobs; the limit is {MaxInstances} (use fewer values, or exclude combinations)");
            return null;
        }

        var instances = Expand(parameters, excluded, job);
        if (instances.Count == 0)
        {
            errors.Add(matrix, $"the matrix of job '{job}' makes no job: exclude removes every combination");
            return null;
        }

        return new MatrixSpec(instances, alias);
    }

    private static List<Parameter>? ReadParameters(Node node, ErrorList errors)
    {
        if (Expect.Map(node, "matrix parameters", errors) is not { } map)
        {
            return null;
        }

        if (map.Entries.Count == 0)
        {
            errors.Add(node, "matrix parameters is empty; name at least one parameter and its values");
            return null;
        }

        var parameters = new List<Parameter>();
        var valid = true;
        foreach (var entry in map.Entries)
        {
            if (entry.Value is not ListNode { Items.Count: > 0 } list)
            {
                errors.Add(entry.Value, $"matrix parameter '{entry.Name}' must be a non-empty list of values, found {(entry.Value is ListNode ? "an empty list" : entry.Value.Describe())}");
                valid = false;
                continue;
            }

            var scalars = new List<ScalarNode>();
            foreach (var item in list.Items)
            {
                if (item is ScalarNode scalar)
                {
                    scalars.Add(scalar);
                }
                else
                {
                    errors.Add(item, $"a value of matrix parameter '{entry.Name}' must be a single value, found {item.Describe()}");
                    valid = false;
                }
            }

            parameters.Add(new Parameter(entry.Name, scalars));
        }

        return valid ? parameters : null;
    }

    /// <summary>
    /// The excluded combinations, each as the index of its value in every parameter's list (declaration order), each
    /// once; null when an exclude is not a complete combination of known parameters.
    /// </summary>
    private static HashSet<Combination>? ReadExcludes(Node node, List<Parameter> parameters, ErrorList errors)
    {
        if (Expect.List(node, "matrix exclude", errors) is not { } list)
        {
            return null;
        }

        var excluded = new HashSet<Combination>();
        var valid = true;
        foreach (var item in list.Items)
        {
            if (Expect.Map(item, "a matrix exclude", errors) is not { } map)
            {
                valid = false;
                continue;
            }

            var indexes = new int[parameters.Count];
            var matches = true;
            foreach (var entry in map.Entries)
            {
                var at = parameters.FindIndex(parameter => parameter.Name == entry.Name);
                if (at < 0)
                {
                    errors.Add(entry.Key, $"matrix exclude names '{entry.Name}', which is not a matrix parameter ({string.Join(", ", parameters.Select(p => p.Name))})");
                    valid = false;
                    continue;
                }

                indexes[at] = parameters[at].Values.FindIndex(value => Logic.ValuesEqual(value, entry.Value));
                matches &= indexes[at] >= 0;
            }

            var missing = parameters.Where(parameter => !map.Has(parameter.Name)).Select(parameter => parameter.Name).ToList();
            if (missing.Count > 0)
            {
                errors.Add(item, $"a matrix exclude is a complete combination; this one lacks {string.Join(", ", missing)}");
                valid = false;
            }
            else if (!matches)
            {
                errors.Warn(item, "this matrix exclude matches no combination of the parameters' values, so it excludes nothing");
            }
            else
            {
                excluded.Add(new Combination(indexes));
            }
        }

        return valid ? excluded : null;
    }

    /// <summary>The product of the list lengths, exact however many lists there are.</summary>
    private static BigInteger Count(List<Parameter> parameters) =>
        parameters.Aggregate(BigInteger.One, (count, parameter) => count * parameter.Values.Count);

    private static List<MatrixInstance> Expand(List<Parameter> parameters, HashSet<Combination> excluded, string job)
    {
        var byName = Enumerable.Range(0, parameters.Count).OrderBy(i => parameters[i].Name, StringComparer.Ordinal).ToArray();
        var instances = new List<MatrixInstance>();
        var indexes = new int[parameters.Count];
        while (true)
        {
            if (!excluded.Contains(new Combination(indexes)))
            {
                var values = parameters.Select((parameter, i) => new KeyValuePair<string, Node>(parameter.Name, parameter.Values[indexes[i]])).ToList();
                var name = string.Join("-", byName.Select(i => NameText(parameters[i].Values[indexes[i]])).Prepend(job));
                instances.Add(new MatrixInstance(values, name));
            }

            // Count like an odometer: the last parameter turns fastest.
            var digit = parameters.Count - 1;
            while (digit >= 0 && ++indexes[digit] == parameters[digit].Values.Count)
            {
                indexes[digit] = 0;
                digit--;
            }

            if (digit < 0)
            {
                return instances;
            }
        }
    }

    /// <summary>A value as a name shows it: its text, with a boolean as <c>true</c>/<c>false</c> however it was spelt.</summary>
    private static string NameText(ScalarNode value) => Logic.Canonical(value) ?? "";

    private sealed record Parameter(string Name, List<ScalarNode> Values);

    /// <summary>One value index per parameter, compared by content.</summary>
    private sealed class Combination(int[] indexes) : IEquatable<Combination>
    {
        private readonly int[] _indexes = indexes;

        public bool Equals(Combination? other) => other is not null && _indexes.AsSpan().SequenceEqual(other._indexes);

        public override bool Equals(object? obj) => Equals(obj as Combination);

        public override int GetHashCode()
        {
            var hash = new HashCode();
            foreach (var index in _indexes)
            {
                hash.Add(index);
            }

            return hash.ToHashCode();
        }
    }
}
