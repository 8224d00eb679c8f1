namespace Porthole.Pipeline.Yaml;

/// <summary>Reads a node as the shape a key needs, adding an error that names the key when it is not.</summary>
internal static class Expect
{
    public static MapNode? Map(Node node, string what, ErrorList errors)
    {
        if (node is MapNode map)
        {
            return map;
        }

        errors.Add(node, $"{what} must be a map, found {node.Describe()}");
        return null;
    }

    public static ListNode? List(Node node, string what, ErrorList errors)
    {
        if (node is ListNode list)
        {
            return list;
        }

        errors.Add(node, $"{what} must be a list, found {node.Describe()}");
        return null;
    }

    /// <summary>A scalar's text; null (with an error) for a list, a map or an empty value.</summary>
    public static string? Text(Node node, string what, ErrorList errors)
    {
        if (node is ScalarNode { IsNull: false } scalar)
        {
            return scalar.Value;
        }

        errors.Add(node, $"{what} must be a string, found {node.Describe()}");
        return null;
    }

    /// <summary>A YAML 1.1 boolean (true/false, yes/no, on/off), which is what both CircleCI and Travis parse.</summary>
    public static bool? Bool(Node node, string what, ErrorList errors)
    {
        if (node is ScalarNode { IsPlain: true } scalar)
        {
            switch (scalar.Value)
            {
                case "true" or "True" or "TRUE" or "yes" or "Yes" or "YES" or "on" or "On" or "ON":
                    return true;
                case "false" or "False" or "FALSE" or "no" or "No" or "NO" or "off" or "Off" or "OFF":
                    return false;
            }
        }

        errors.Add(node, $"{what} must be true or false, found {(node is ScalarNode { IsNull: false } text ? $"'{text.Value}'" : node.Describe())}");
        return null;
    }
}
