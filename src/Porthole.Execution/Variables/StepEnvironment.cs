using Porthole.Contracts.Plans;
using Porthole.Contracts.Runners;

namespace Porthole.Execution.Variables;

/// <summary>
/// The whole environment of a step's processes, in layers where later wins: the executor's minimal base
/// (never the runner's own environment), the dialect's built-ins, the project's variables, the job's, the step's.
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
        foreach (var (name, value) in builtIns)
        {
            environment[name] = value;
        }

        foreach (var variable in projectVariables)
        {
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
