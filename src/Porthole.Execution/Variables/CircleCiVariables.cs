using System.Globalization;
using Porthole.Contracts.Runners;

namespace Porthole.Execution.Variables;

/// <summary>
/// CircleCI's built-in variables (R-CI-4). <c>CIRCLE_BUILD_NUM</c> is the job id, <c>CIRCLE_WORKING_DIRECTORY</c> the
/// working directory as the config wrote it (<c>~/project</c>). A project name of the form <c>owner/repo</c> gives
/// <c>CIRCLE_PROJECT_USERNAME</c> and <c>CIRCLE_PROJECT_REPONAME</c>; a plain name is the repo name.
/// <c>BASH_ENV</c> is a file that bash sources at the start of every step, so that
/// <c>echo 'export X=1' &gt;&gt; "$BASH_ENV"</c> carries over to later steps as on CircleCI.
/// </summary>
internal static class CircleCiVariables
{
    public static IEnumerable<KeyValuePair<string, string>> For(NodeAssignment assignment, string configuredWorkingDirectory, string bashEnvPath)
    {
        yield return Pair("CI", "true");
        yield return Pair("CIRCLECI", "true");
        yield return Pair("CIRCLE_JOB", assignment.Job.Name);
        yield return Pair("CIRCLE_BUILD_NUM", Number(assignment.JobId));
        yield return Pair("CIRCLE_NODE_INDEX", Number(assignment.NodeIndex));
        yield return Pair("CIRCLE_NODE_TOTAL", Number(assignment.NodeTotal));
        yield return Pair("CIRCLE_SHA1", assignment.CommitSha);
        if (!string.IsNullOrEmpty(assignment.Tag))
        {
            // VAR: a tag pipeline has CIRCLE_TAG and no branch.
            yield return Pair("CIRCLE_TAG", assignment.Tag);
        }
        else if (!string.IsNullOrEmpty(assignment.Branch))
        {
            yield return Pair("CIRCLE_BRANCH", assignment.Branch);
        }

        yield return Pair("CIRCLE_WORKING_DIRECTORY", configuredWorkingDirectory);
        var slash = assignment.ProjectName.LastIndexOf('/');
        if (slash > 0)
        {
            yield return Pair("CIRCLE_PROJECT_USERNAME", assignment.ProjectName[..slash]);
        }

        yield return Pair("CIRCLE_PROJECT_REPONAME", assignment.ProjectName[(slash + 1)..]);
        yield return Pair("CIRCLE_REPOSITORY_URL", assignment.RepositoryUrl);
        yield return Pair("CIRCLE_WORKFLOW_ID", Number(assignment.WorkflowId));
        yield return Pair("CIRCLE_PIPELINE_NUMBER", Number(assignment.PipelineNumber));
        yield return Pair("CIRCLE_PIPELINE_ID", Number(assignment.PipelineId));
        yield return Pair("CIRCLE_SHELL_ENV", bashEnvPath);
        yield return Pair("BASH_ENV", bashEnvPath);
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static KeyValuePair<string, string> Pair(string name, string value) => new(name, value);
}
