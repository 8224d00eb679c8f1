using Porthole.Contracts.Plans;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.Travis;

/// <summary>
/// A job's <c>git:</c> settings (dialects.md §B12, TB <c>git/clone.rb</c>, <c>git/submodules.rb</c>): <c>depth</c> (50
/// by default; <c>false</c> clones in full), <c>submodules</c> (true by default: updated when the repository has a
/// <c>.gitmodules</c>), <c>quiet</c>, <c>clone: false</c> (no checkout at all). What changes the clone in ways Porthole does
/// not do (<c>sparse_checkout</c>, <c>lfs_skip_smudge</c>, <c>autocrlf</c>, <c>symlinks</c>, <c>strategy: tarball</c>) is
/// refused by name.
/// </summary>
internal static class TravisGit
{
    private const int DefaultDepth = 50;

    /// <summary>The checkout's settings, and whether the job clones at all.</summary>
    public static (CheckoutPlan Checkout, bool Clone) Read(Node? node, ErrorList errors)
    {
        int? depth = DefaultDepth;
        var submodules = true;
        var quiet = false;
        var clone = true;
        if (node is null or ScalarNode { IsNull: true })
        {
            return (new CheckoutPlan(depth, submodules, quiet), clone);
        }

        if (node is not MapNode map)
        {
            errors.Add(node, $"git must be a map of settings (depth, submodules, quiet, clone), found {node.Describe()}");
            return (new CheckoutPlan(depth, submodules, quiet), clone);
        }

        foreach (var entry in map.Entries)
        {
            switch (entry.Name)
            {
                case "depth":
                    depth = Depth(entry, errors) ?? depth;
                    if (entry.Value is ScalarNode { Value: "false" })
                    {
                        depth = null;
                    }

                    break;
                case "submodules":
                    submodules = Expect.Bool(entry.Value, "git.submodules", errors) ?? submodules;
                    break;
                case "quiet":
                    quiet = Expect.Bool(entry.Value, "git.quiet", errors) ?? quiet;
                    break;
                case "clone":
                    clone = Expect.Bool(entry.Value, "git.clone", errors) ?? clone;
                    break;
                case "submodules_depth":
                    // Accepted: the submodules are cloned in full, which only takes longer.
                    break;
                case "strategy" when entry.Value is ScalarNode { Value: "clone" }:
                    break;
                default:
                    errors.Refuse(entry.Key, $"git.{entry.Name}", $"git.{entry.Name} is not supported");
                    break;
            }
        }

        return (new CheckoutPlan(depth, submodules, quiet), clone);
    }

    private static int? Depth(MapEntry entry, ErrorList errors)
    {
        if (entry.Value is ScalarNode { Value: "false" or "true" })
        {
            return null;
        }

        if (entry.Value is ScalarNode { IsNull: false } scalar && int.TryParse(scalar.Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) && value is > 0 and <= 1_000_000)
        {
            return value;
        }

        errors.Add(entry.Value, "git.depth must be a number of commits (1 or more), or false for the whole history");
        return null;
    }
}
