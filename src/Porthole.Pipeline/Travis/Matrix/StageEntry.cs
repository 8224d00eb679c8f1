using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.Travis.Matrix;

/// <summary>
/// An entry of the root <c>stages:</c> (§B10): a name, or a map of <c>name</c> and <c>if</c>. A single entry may be
/// written without the list.
/// </summary>
internal sealed record StageEntry(string Name, ScalarNode? If, Node At)
{
    public static IReadOnlyList<StageEntry> ReadAll(Node? stages, ErrorList errors)
    {
        var entries = new List<StageEntry>();
        if (stages is null or ScalarNode { IsNull: true })
        {
            return entries;
        }

        foreach (var item in stages is ListNode list ? list.Items : [stages])
        {
            switch (item)
            {
                case ScalarNode { IsNull: true }:
                    break;
                case ScalarNode name:
                    entries.Add(new(name.Value, null, name));
                    break;
                case MapNode map when Read(map, errors) is { } entry:
                    entries.Add(entry);
                    break;
                case MapNode:
                    break;
                default:
                    errors.Add(item, $"a stages entry must be a stage name or a map of name and if, found {item.Describe()}");
                    break;
            }
        }

        return entries;
    }

    private static StageEntry? Read(MapNode map, ErrorList errors)
    {
        string? name = null;
        Node? nameAt = null;
        ScalarNode? condition = null;
        foreach (var entry in map.Entries)
        {
            switch (entry.Name)
            {
                case "name":
                    name = Expect.Text(entry.Value, "a stage's name", errors);
                    nameAt = entry.Value;
                    break;
                case "if" when entry.Value is ScalarNode { IsNull: false } text:
                    condition = text;
                    break;
                case "if":
                    errors.Add(entry.Value, $"if must be a condition such as 'branch = master', found {entry.Value.Describe()}");
                    break;
                default:
                    errors.Add(entry.Key, $"unknown key '{entry.Name}' in a stages entry; a stage takes name and if");
                    break;
            }
        }

        if (name is null && nameAt is null)
        {
            errors.Add(map, "a stages entry needs a name");
        }

        return name is null ? null : new(name, condition, nameAt ?? map);
    }
}
