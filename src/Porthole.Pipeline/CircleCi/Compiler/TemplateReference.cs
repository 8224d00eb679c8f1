using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.CircleCi.Compiler;

/// <summary>
/// Looks up what one <c>&lt;&lt; … &gt;&gt;</c> names in a <see cref="TemplateScope"/> (§A1.2): <c>parameters.x</c>,
/// <c>pipeline.parameters.x</c>, <c>matrix.x</c> or a pipeline value <c>pipeline.git.branch</c>.
/// </summary>
internal static class TemplateReference
{
    private const string Parameters = "parameters.";
    private const string PipelineParameters = "pipeline.parameters.";
    private const string Matrix = "matrix.";
    private const string Pipeline = "pipeline.";

    /// <summary>The value <paramref name="name"/> (<c>parameters.x</c>, without the brackets) stands for; null with the problem when the scope has none.</summary>
    public static Node? Resolve(string name, TemplateScope scope, out string? problem)
    {
        problem = null;
        if (scope.PipelineOnly && (name.StartsWith(Parameters, StringComparison.Ordinal) || name.StartsWith(Matrix, StringComparison.Ordinal)))
        {
            return null;
        }

        if (name.StartsWith(Parameters, StringComparison.Ordinal))
        {
            if (scope.Parameters is { } parameters && parameters.TryGetValue(name[Parameters.Length..], out var value))
            {
                return value;
            }

            // PV's wording.
            problem = $"Arguments referenced without declared parameters: {name}";
            return null;
        }

        if (name.StartsWith(PipelineParameters, StringComparison.Ordinal))
        {
            if (scope.PipelineParameters is not { } pipelineParameters)
            {
                problem = $"Arguments referenced without declared parameters: {name} (pipeline parameters are not in scope inside orbs)";
                return null;
            }

            if (pipelineParameters.TryGetValue(name[PipelineParameters.Length..], out var value))
            {
                return value;
            }

            problem = $"Arguments referenced without declared parameters: {name}";
            return null;
        }

        if (name.StartsWith(Matrix, StringComparison.Ordinal))
        {
            if (scope.Matrix is not { } matrix)
            {
                problem = $"{name} is used outside a matrix: matrix values are known only in a workflow job invocation with matrix:";
                return null;
            }

            if (matrix.TryGetValue(name[Matrix.Length..], out var value))
            {
                return value;
            }

            problem = $"{name} is not a parameter of this matrix (its parameters are {string.Join(", ", matrix.Keys.Order(StringComparer.Ordinal))})";
            return null;
        }

        if (scope.PipelineValues.TryGetValue(name[Pipeline.Length..], out var pipelineValue))
        {
            return pipelineValue;
        }

        problem = $"unknown pipeline value {name}";
        return null;
    }
}
