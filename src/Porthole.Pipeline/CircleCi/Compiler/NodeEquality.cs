using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.CircleCi.Compiler;

/// <summary>Whether two trees say the same thing, wherever they were written: the same job invoked alike in two workflows compiles to one job.</summary>
internal static class NodeEquality
{
    public static bool Same(Node a, Node b)
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        if (a.ExpandedSize != b.ExpandedSize)
        {
            return false;
        }

        switch (a, b)
        {
            case (ScalarNode x, ScalarNode y):
                return x.Value == y.Value && x.IsPlain == y.IsPlain && x.Tag == y.Tag;
            case (ListNode x, ListNode y):
                if (x.Items.Count != y.Items.Count)
                {
                    return false;
                }

                for (var i = 0; i < x.Items.Count; i++)
                {
                    if (!Same(x.Items[i], y.Items[i]))
                    {
                        return false;
                    }
                }

                return true;
            case (MapNode x, MapNode y):
                if (x.Entries.Count != y.Entries.Count)
                {
                    return false;
                }

                for (var i = 0; i < x.Entries.Count; i++)
                {
                    if (x.Entries[i].Name != y.Entries[i].Name || !Same(x.Entries[i].Value, y.Entries[i].Value))
                    {
                        return false;
                    }
                }

                return true;
            default:
                return false;
        }
    }
}
