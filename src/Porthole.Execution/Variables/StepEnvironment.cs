using Porthole.Contracts.Plans;
using Porthole.Contracts.Runners;

namespace Porthole.Execution.Variables;

/// <summary>
/// The whole environment of a step's processes, in layers where later wins: the executor's minimal base
/// (never the runner's own environment), the dialect's built-ins, the project's variables, its contexts' (which never
/// replace a built-in), the job's, the step's.
/// Values are passed literally, as CircleCI does.
/// </summary>
internal static class StepEnvironment
{
    public static Dictionary<string, string> Build(
        IReadOnlyDictionary<string, string> baseEnvironment,
        IEnumerable<KeyValuePair<string, string>> builtIns,
        IReadOnlyList<ProjectVariable> projectVariables,
        IReadOnlyList<EnvironmentVariable> jobEnvironment,
        IReadOnlyList<EnvironmentVariable> stepEnvironment)
    {
        var environment = new Dictionary<string, string>(baseEnvironment, StringComparer.Ordinal);
        var builtInNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, value) in builtIns)
        {
            environment[name] = value;
            builtInNames.Add(name);
        }

        foreach (var variable in projectVariables)
        {
            // A context's variables sit under the built-ins (CIRCLE_*, dialects.md §A1.5) and over the project's own,
            // which come first in the list; the project's own override the built-ins, as they always have.
            if (variable.Context is not null && builtInNames.Contains(variable.Name))
            {
                continue;
            }

            environment[variable.Name] = variable.Value;
        }

        foreach (var variable in jobEnvironment)
        {
            environment[variable.Name] = variable.Value;
        }

        foreach (var variable in stepEnvironment)
        {
            environment[variable.Name] = variable.Value;
        }

        return environment;
    }
}
