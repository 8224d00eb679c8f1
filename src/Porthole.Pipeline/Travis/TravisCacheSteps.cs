using Porthole.Contracts.Plans;

namespace Porthole.Pipeline.Travis;

/// <summary>
/// The two steps of a Travis job's cache (§B12): the fetch, where Travis sets its cache up (after the checkout, before
/// before_install), and the upload, after script and before_cache. The branch's cache is fetched, else the default
/// branch's, each by its exact name; the upload replaces the branch's cache whatever the job's result, and neither
/// step's failure changes that result (TD caching.md: "the failure to upload the cache does not mark the job a failure").
/// </summary>
internal static class TravisCacheSteps
{
    public const string RestoreName = "Restoring the cache";

    public const string SaveName = "Uploading the cache";

    public static StepPlan Restore(string slug) =>
        Plan(StepKind.RestoreCache, RestoreName, StepCondition.OnSuccess) with
        {
            RestoreCache = new RestoreCachePlan([BranchKey(slug), $"travis/{{{{ .DefaultBranch }}}}/{slug}"]) { Exact = true },
        };

    public static StepPlan Save(string slug, IReadOnlyList<string> folders) =>
        Plan(StepKind.SaveCache, SaveName, StepCondition.Always) with
        {
            SaveCache = new SaveCachePlan(BranchKey(slug), folders) { Replace = true },
        };

    private static string BranchKey(string slug) => $"travis/{{{{ .Branch }}}}/{slug}";

    private static StepPlan Plan(StepKind kind, string name, StepCondition when) => new(
        kind,
        name,
        Command: null,
        TravisReader.Shell,
        Environment: [],
        WorkingDirectory: null,
        Background: false,
        when,
        NoOutputTimeout: null,
        AffectsResult: false);
}
