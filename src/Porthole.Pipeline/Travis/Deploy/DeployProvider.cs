namespace Porthole.Pipeline.Travis.Deploy;

/// <summary>
/// One provider of a job's <c>deploy:</c> (dialects.md §B12), as the deploy step needs it.
/// </summary>
/// <param name="Name">The provider as written (<c>script</c>, <c>releases</c>, …), for messages.</param>
/// <param name="Key">The provider as travis-build compares it: lower case, letters and digits only (TB <c>script.rb</c>).</param>
/// <param name="Script">The script provider's commands; empty for any other provider.</param>
/// <param name="On">When the provider deploys.</param>
/// <param name="AllowFailure">
/// <c>allow_failure: true</c>: a failing deployment does not stop the job (TB <c>script.rb#run_command</c>: without it a
/// failure prints "failed to deploy" and ends the job with <c>travis_terminate 2</c>, Travis's errored).
/// </param>
/// <param name="Cleanup">
/// <c>cleanup: true</c> (dpl v2), or <c>skip_cleanup: false</c> written out: the checkout is cleaned with <c>git stash --all</c>
/// before the deployment. dpl v2, which Travis runs by default, does not clean up otherwise.
/// </param>
internal sealed record DeployProvider(string Name, string Key, IReadOnlyList<string> Script, DeployConditions On, bool AllowFailure, bool Cleanup)
{
    /// <summary>The one provider Porthole runs: the others are planned and say at run time that they were not run.</summary>
    public bool Runs => Key == "script";
}

/// <summary>
/// A provider's <c>on:</c> conditions, ANDed (TB <c>script.rb#conditions</c>), in the order Travis checks them and prints
/// why it skipped: repo, branch, runtimes, custom conditions, tags.
/// </summary>
/// <param name="Repo"><c>repo: owner/name</c>, compared with <c>$TRAVIS_REPO_SLUG</c>.</param>
/// <param name="Branches">The branches that deploy (<c>master</c> when none is given); null for any branch (<c>all_branches: true</c> or <c>tags: true</c>).</param>
/// <param name="Runtimes">Runtime keys and their versions, compared with <c>$TRAVIS_&lt;RUNTIME&gt;_VERSION</c>.</param>
/// <param name="Custom"><c>condition:</c> bash tests, each inside <c>[[ … ]]</c>.</param>
/// <param name="Tags"><c>tags: true</c> (only a tag build deploys), <c>false</c> (a tag build does not), or null.</param>
internal sealed record DeployConditions(
    string? Repo,
    IReadOnlyList<string>? Branches,
    IReadOnlyList<(string Variable, string Version)> Runtimes,
    IReadOnlyList<string> Custom,
    bool? Tags)
{
    public static DeployConditions Default { get; } = new(null, ["master"], [], [], null);
}
