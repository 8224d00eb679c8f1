using Porthole.Contracts.Plans;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.CircleCi;

/// <summary>
/// <c>store_artifacts</c> and <c>store_test_results</c> (§A5). Both run whatever happened before them (CR "when
/// attribute": they upload even after a failed step), which is when artifacts and failed tests matter most.
/// </summary>
internal static class UploadStepReader
{
    private static readonly string[] ArtifactKeys = ["path", "destination", "name"];

    private static readonly string[] TestResultKeys = ["path", "name"];

    public static StepPlan? ReadArtifacts(Node step, Node? arguments, string jobShell, CircleCiContext context)
    {
        if (StepArguments.Read(step, arguments, "store_artifacts", ArtifactKeys, context) is not { } args)
        {
            return null;
        }

        var complete = args.Require("path");
        var path = args.Text("path");
        var destination = args.Text("destination");
        if (!complete || path is null)
        {
            return null;
        }

        return StepArguments.Plan(StepKind.StoreArtifacts, args.Name(CircleCiDefaults.StoreArtifactsName), jobShell, StepCondition.Always) with
        {
            StoreArtifacts = new StoreArtifactsPlan(path, destination),
        };
    }

    public static StepPlan? ReadTestResults(Node step, Node? arguments, string jobShell, CircleCiContext context)
    {
        if (StepArguments.Read(step, arguments, "store_test_results", TestResultKeys, context) is not { } args)
        {
            return null;
        }

        var complete = args.Require("path");
        var path = args.Text("path");
        if (!complete || path is null)
        {
            return null;
        }

        return StepArguments.Plan(StepKind.StoreTestResults, args.Name(CircleCiDefaults.StoreTestResultsName), jobShell, StepCondition.Always) with
        {
            StoreTestResults = new StoreTestResultsPlan(path),
        };
    }
}
