using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.CircleCi.Compiler;

/// <summary>
/// CircleCI 2.1's <c>&lt;&lt; … &gt;&gt;</c> substitution over a tree of nodes (§A1.2). A scalar that is exactly one
/// reference becomes the value itself, keeping its type (an integer for <c>parallelism</c>, a list for <c>steps</c>, a
/// map for an executor); inside a longer string a reference is interpolated as text. Keys are never substituted.
/// </summary>
internal static class Template
{
    /// <summary>
    /// <paramref name="node"/> with every template in its scalar values resolved against <paramref name="scope"/>, as a
    /// new tree: nodes are never changed in place. Every rebuilt node comes <paramref name="via"/> the given call site;
    /// when it is null, parts without templates are returned as they are. Errors leave the reference as written; the
    /// nodes made are spent on <paramref name="budget"/>, and once it is exhausted the rest is returned unchanged.
    /// </summary>
    public static Node Substitute(Node node, TemplateScope scope, CallSite? via, ErrorList errors, ExpansionBudget budget) =>
        new Substitution(scope, via, errors, budget).Visit(node);

    /// <summary>
    /// One scalar's text with its templates resolved, for names the expander builds (a matrix job's
    /// <c>name: build-&lt;&lt; matrix.v &gt;&gt;</c>); null when a template in it is wrong (reported).
    /// </summary>
    public static string? Render(ScalarNode scalar, TemplateScope scope, ErrorList errors)
    {
        if (!scalar.Value.Contains("<<", StringComparison.Ordinal))
        {
            return scalar.Value;
        }

        var text = new TemplateText(scalar, scope, via: null, errors);
        if (TemplateText.WholeReference(scalar.Value) is { } name)
        {
            switch (text.Resolve(name, scalar.Value.IndexOf("<<", StringComparison.Ordinal)))
            {
                case null:
                    return null;
                case ScalarNode value:
                    return value.IsNull ? "" : value.Value;
                case var value:
                    text.Error(scalar.Value.IndexOf("<<", StringComparison.Ordinal), $"{name} is {value.Describe()}; it cannot be used as text here");
                    return null;
            }
        }

        var rendered = text.Interpolate();
        return text.Failed ? null : rendered ?? scalar.Value;
    }

    private sealed class Substitution(TemplateScope scope, CallSite? via, ErrorList errors, ExpansionBudget budget)
    {
        public Node Visit(Node node)
        {
            if (budget.IsExhausted)
            {
                return node;
            }

            return node switch
            {
                ScalarNode scalar => Scalar(scalar),
                ListNode list => List(list),
                MapNode map => Map(map),
                _ => node,
            };
        }

        private Node Scalar(ScalarNode scalar)
        {
            var start = scalar.Value.IndexOf("<<", StringComparison.Ordinal);
            if (start < 0)
            {
                return Rebuilt(scalar);
            }

            var text = new TemplateText(scalar, scope, via, errors);
            if (TemplateText.WholeReference(scalar.Value) is { } name)
            {
                return text.Resolve(name, start) is { } value ? Whole(scalar, value) : Rebuilt(scalar);
            }

            if (text.Interpolate() is not { } rendered || rendered == scalar.Value)
            {
                return Rebuilt(scalar);
            }

            // An interpolated result is a string, whatever YAML would make of its text.
            return budget.Spend(1, scalar)
                ? new ScalarNode(scalar.Start, rendered, false, null) { Via = via ?? scalar.Via }
                : scalar;
        }

        /// <summary>The bound value in place of a whole-scalar reference: its own node, at the reference, keeping where it came from.</summary>
        private Node Whole(ScalarNode scalar, Node value)
        {
            if (!budget.Spend(value.ExpandedSize, scalar))
            {
                return scalar;
            }

            var placed = value.At(scalar.Start);
            return NodeFactory.WithVia(placed, value.Via ?? via ?? scalar.Via);
        }

        private Node List(ListNode list)
        {
            Node[]? items = null;
            for (var index = 0; index < list.Items.Count; index++)
            {
                var item = list.Items[index];
                var visited = Visit(item);
                if (items is null && !ReferenceEquals(visited, item))
                {
                    items = new Node[list.Items.Count];
                    for (var before = 0; before < index; before++)
                    {
                        items[before] = list.Items[before];
                    }
                }

                if (items is not null)
                {
                    items[index] = visited;
                }
            }

            if (items is null && via is null || !budget.Spend(1, list))
            {
                return list;
            }

            return NodeFactory.List(list.Start, items ?? list.Items, via ?? list.Via);
        }

        private Node Map(MapNode map)
        {
            MapEntry[]? entries = null;
            for (var index = 0; index < map.Entries.Count; index++)
            {
                var entry = map.Entries[index];
                CheckKey(entry.Key);
                var value = Visit(entry.Value);
                var key = via is null ? entry.Key : Rebuilt(entry.Key);
                if (entries is null && (!ReferenceEquals(value, entry.Value) || !ReferenceEquals(key, entry.Key)))
                {
                    entries = new MapEntry[map.Entries.Count];
                    for (var before = 0; before < index; before++)
                    {
                        entries[before] = map.Entries[before];
                    }
                }

                if (entries is not null)
                {
                    entries[index] = ReferenceEquals(value, entry.Value) && ReferenceEquals(key, entry.Key)
                        ? entry
                        : new MapEntry((ScalarNode)key, value);
                }
            }

            if (entries is null && via is null || !budget.Spend(1, map))
            {
                return map;
            }

            return NodeFactory.Map(map.Start, entries ?? map.Entries, via ?? map.Via);
        }

        /// <summary>§A1.2: templates go in values only; a key that holds one is an error, and stays as written.</summary>
        private void CheckKey(ScalarNode key)
        {
            var start = TemplateText.TemplateStart(key.Value);
            if (start >= 0)
            {
                new TemplateText(key, scope, via, errors).Error(start, $"a parameter reference cannot be a key name ({ParameterTyping.Quote(key.Value)})");
            }
        }

        /// <summary>The node as it is, or (with a call site to record) the same node coming through it.</summary>
        private Node Rebuilt(ScalarNode scalar) =>
            via is null || !budget.Spend(1, scalar) ? scalar : NodeFactory.WithVia(scalar, via);
    }
}
