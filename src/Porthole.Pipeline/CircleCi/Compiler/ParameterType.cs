namespace Porthole.Pipeline.CircleCi.Compiler;

/// <summary>The types a CircleCI 2.1 parameter may declare (§A1.1).</summary>
internal enum ParameterType
{
    String,
    Boolean,
    Integer,
    Enum,
    Executor,
    Steps,
    EnvVarName,
}

/// <summary>How each <see cref="ParameterType"/> is written in a config's <c>type:</c>.</summary>
internal static class ParameterTypeNames
{
    /// <summary>Every type, as a message lists them.</summary>
    public const string All = "string, boolean, integer, enum, executor, steps, env_var_name";

    /// <summary>The types a top-level pipeline parameter may have (§A0 step 2).</summary>
    public const string Pipeline = "string, boolean, integer, enum";

    private static readonly Dictionary<string, ParameterType> ByName = new(StringComparer.Ordinal)
    {
        ["string"] = ParameterType.String,
        ["boolean"] = ParameterType.Boolean,
        ["integer"] = ParameterType.Integer,
        ["enum"] = ParameterType.Enum,
        ["executor"] = ParameterType.Executor,
        ["steps"] = ParameterType.Steps,
        ["env_var_name"] = ParameterType.EnvVarName,
    };

    public static bool TryParse(string text, out ParameterType type) => ByName.TryGetValue(text, out type);

    public static string Name(this ParameterType type) => type switch
    {
        ParameterType.String => "string",
        ParameterType.Boolean => "boolean",
        ParameterType.Integer => "integer",
        ParameterType.Enum => "enum",
        ParameterType.Executor => "executor",
        ParameterType.Steps => "steps",
        _ => "env_var_name",
    };

    public static bool IsPipelineType(this ParameterType type) =>
        type is ParameterType.String or ParameterType.Boolean or ParameterType.Integer or ParameterType.Enum;
}
