using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.CircleCi;

/// <summary>
/// A workflow job's <c>filters:</c> (dialects.md §A6): which branches and tags the job runs for. A job runs on a tag
/// only when it has a <c>tags</c> filter that admits the tag; on a branch every job runs unless its <c>branches</c>
/// filter says otherwise. When a pipeline has both a branch and a tag, the branch decides.
/// </summary>
internal sealed class JobFilters
{
    private readonly NameFilter? _branches;
    private readonly NameFilter? _tags;

    private JobFilters(NameFilter? branches, NameFilter? tags)
    {
        _branches = branches;
        _tags = tags;
    }

    /// <summary>The job names a <c>tags</c> filter; without one it never runs on a tag.</summary>
    public bool HasTagFilter => _tags is { IsEmpty: false };

    /// <summary>The filters of a workflow job; null with errors when they are malformed or in a form Porthole does not read.</summary>
    public static JobFilters? Read(Node node, ErrorList errors)
    {
        if (node is ScalarNode { IsNull: false })
        {
            errors.Refuse(node, "filter expressions", "filter expressions (a filters: string) are not supported; use filters: {branches: …, tags: …}");
            return null;
        }

        if (node is ScalarNode { IsNull: true })
        {
            return new JobFilters(null, null);
        }

        if (Expect.Map(node, "filters", errors) is not { } map)
        {
            return null;
        }

        var valid = true;
        NameFilter? branches = null;
        NameFilter? tags = null;
        foreach (var entry in map.Entries)
        {
            switch (entry.Name)
            {
                case "branches":
                    branches = NameFilter.Read(entry.Value, "branches", errors);
                    valid &= branches is not null;
                    break;
                case "tags":
                    tags = NameFilter.Read(entry.Value, "tags", errors);
                    valid &= tags is not null;
                    break;
                default:
                    errors.Add(entry.Key, $"unknown key '{entry.Name}' in filters; filters take branches and tags");
                    valid = false;
                    break;
            }
        }

        return valid ? new JobFilters(branches, tags) : null;
    }

    /// <summary>
    /// Whether a job with no <c>filters:</c> runs: on every branch, on no tag, and always when neither is known
    /// (<c>porthole config validate</c>).
    /// </summary>
    public static bool AdmitsUnfiltered(string? branch, string? tag) => branch is not null || tag is null;

    /// <summary>Whether the job runs for <paramref name="branch"/> (which decides when both are given) or <paramref name="tag"/>.</summary>
    public bool Admits(string? branch, string? tag)
    {
        if (branch is not null)
        {
            return _branches is null || _branches.Admits(branch);
        }

        if (tag is not null)
        {
            // "If neither only nor ignore are specified then the job is skipped for all tags."
            return HasTagFilter && _tags!.Admits(tag);
        }

        return true;
    }
}
