using System.Text.RegularExpressions;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.CircleCi.Compiler;

/// <summary>
/// Reads the <c>parameters:</c> map of a job, command, executor or the pipeline (§A1.1, §A0 step 2), checking names,
/// types, enums and defaults. A declaration with a bad name or type is left out; one with a bad default is kept
/// with the default as written, so its uses are not reported again as undeclared.
/// </summary>
internal static partial class ParameterDeclarations
{
    /// <summary>Keys of a job's workflow invocation, which its parameters may not be named (§A1.1, CR).</summary>
    private static readonly string[] ReservedForJobs = ["name", "requires", "context", "type", "filters", "matrix", "pre-steps", "post-steps"];

    /// <summary>
    /// The declarations of <paramref name="element"/> (how messages name it: <c>job 'build'</c>). <paramref name="pipeline"/>
    /// for the top-level <c>parameters:</c> (string, boolean, integer and enum only, a default mandatory); <paramref name="isJob"/>
    /// for a job, whose parameters may not take an invocation key's name.
    /// </summary>
    public static IReadOnlyDictionary<string, ParameterDeclaration> Read(Node node, string element, bool pipeline, bool isJob, ErrorList errors)
    {
        var declared = new Dictionary<string, ParameterDeclaration>(StringComparer.Ordinal);
        if (node is ScalarNode { IsNull: true })
        {
            return declared;
        }

        if (node is not MapNode map)
        {
            errors.Add(node, $"the parameters of {element} must be a map of parameter names to their type and default, found {node.Describe()}");
            return declared;
        }

        foreach (var entry in map.Entries)
        {
            if (Declaration(entry, element, pipeline, isJob, errors) is { } declaration)
            {
                declared[declaration.Name] = declaration;
            }
        }

        return declared;
    }

    private static ParameterDeclaration? Declaration(MapEntry entry, string element, bool pipeline, bool isJob, ErrorList errors)
    {
        var name = entry.Name;
        var label = pipeline ? $"pipeline parameter '{name}'" : $"parameter '{name}' of {element}";
        if (!NameSyntax().IsMatch(name))
        {
            errors.Add(entry.Key, $"{label}: a parameter name must start with a letter and hold only letters, digits, _ and -");
            return null;
        }

        if (isJob && ReservedForJobs.Contains(name, StringComparer.Ordinal))
        {
            errors.Add(entry.Key, $"{label}: '{name}' is a key of a job's workflow invocation and cannot be a job parameter (reserved: {string.Join(", ", ReservedForJobs)})");
            return null;
        }

        if (entry.Value is not MapNode body)
        {
            errors.Add(entry.Value, $"{label} must be a map with type: (and default:, description:, enum:), found {entry.Value.Describe()}");
            return null;
        }

        foreach (var key in body.Entries)
        {
            if (key.Name is not ("type" or "default" or "description" or "enum"))
            {
                errors.Add(key.Key, $"unknown key '{key.Name}' in {label}; a parameter holds type, default, description and enum");
            }
        }

        if (Type(entry, body, label, pipeline, errors) is not { } type)
        {
            return null;
        }

        var choices = type == ParameterType.Enum ? Choices(entry, body, label, errors) : [];
        if (type != ParameterType.Enum && body.TryGet("enum", out var stray))
        {
            errors.Add(stray.Key, $"{label} is of type {type.Name()}; enum: is only for type: enum");
        }

        Node? value = null;
        if (body.TryGet("default", out var fallback))
        {
            // Without a usable enum: list (already reported) there is nothing to check an enum default against.
            value = type == ParameterType.Enum && choices.Count == 0
                ? fallback.Value
                : ParameterTyping.Typed(type, choices, fallback.Value, $"the default of {label}", errors) ?? fallback.Value;
        }
        else if (pipeline)
        {
            errors.Add(entry.Key, $"{label} needs a default: a pipeline parameter must have one");
        }

        return new ParameterDeclaration(name, type, value, choices, entry.Key);
    }

    private static ParameterType? Type(MapEntry entry, MapNode body, string label, bool pipeline, ErrorList errors)
    {
        var legal = pipeline ? ParameterTypeNames.Pipeline : ParameterTypeNames.All;
        if (!body.TryGet("type", out var written))
        {
            errors.Add(entry.Key, $"{label} has no type: (one of {legal})");
            return null;
        }

        if (written.Value is not ScalarNode { IsNull: false } scalar || !ParameterTypeNames.TryParse(scalar.Value, out var type))
        {
            errors.Add(written.Value, $"{label} has an unknown type {ParameterTyping.Found(written.Value)}; the types are {legal}");
            return null;
        }

        if (pipeline && !type.IsPipelineType())
        {
            errors.Add(written.Value, $"{label} cannot be of type {type.Name()}; pipeline parameters are {legal}");
            return null;
        }

        return type;
    }

    /// <summary>The <c>enum:</c> list of an enum parameter, its items as text; empty (with an error) when missing or wrong.</summary>
    private static IReadOnlyList<string> Choices(MapEntry entry, MapNode body, string label, ErrorList errors)
    {
        if (!body.TryGet("enum", out var written))
        {
            errors.Add(entry.Key, $"{label} is of type enum and needs an enum: list of its values");
            return [];
        }

        if (written.Value is not ListNode { Items.Count: > 0 } list)
        {
            errors.Add(written.Value, $"the enum: of {label} must be a non-empty list of strings, found {written.Value.Describe()}");
            return [];
        }

        var choices = new List<string>(list.Items.Count);
        foreach (var item in list.Items)
        {
            if (item is ScalarNode { IsNull: false } scalar)
            {
                choices.Add(scalar.Value);
            }
            else
            {
                errors.Add(item, $"the enum: of {label} must list strings, found {item.Describe()}");
            }
        }

        return choices;
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_-]*$")]
    private static partial Regex NameSyntax();
}
