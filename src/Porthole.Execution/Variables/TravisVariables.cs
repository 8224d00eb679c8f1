using System.Globalization;
using System.Runtime.InteropServices;
using Porthole.Contracts.Runners;

namespace Porthole.Execution.Variables;

/// <summary>
/// Travis CI's built-in variables (R-CI-4). <c>TRAVIS_BUILD_ID</c>/<c>_NUMBER</c> are the pipeline's,
/// <c>TRAVIS_JOB_NUMBER</c> is <c>{pipeline number}.{job number}</c>, <c>TRAVIS_TEST_RESULT</c> exists only once the
/// script phase has run. Porthole builds pushes and API triggers only, so <c>TRAVIS_PULL_REQUEST</c> is "false".
/// </summary>
internal static class TravisVariables
{
    public static IEnumerable<KeyValuePair<string, string>> For(NodeAssignment assignment, string buildDirectory, int? testResult)
    {
        yield return Pair("CI", "true");
        yield return Pair("TRAVIS", "true");
        yield return Pair("CONTINUOUS_INTEGRATION", "true");
        yield return Pair("HAS_JOSH_K_SEAL_OF_APPROVAL", "true");
        yield return Pair("TRAVIS_BUILD_ID", Number(assignment.PipelineId));
        yield return Pair("TRAVIS_BUILD_NUMBER", Number(assignment.PipelineNumber));
        yield return Pair("TRAVIS_JOB_ID", Number(assignment.JobId));
        yield return Pair("TRAVIS_JOB_NUMBER", $"{Number(assignment.PipelineNumber)}.{Number(assignment.JobNumber)}");
        yield return Pair("TRAVIS_JOB_NAME", assignment.Job.Name);
        yield return Pair("TRAVIS_COMMIT", assignment.CommitSha);
        yield return Pair("TRAVIS_COMMIT_MESSAGE", assignment.CommitMessage ?? "");
        if (!string.IsNullOrEmpty(assignment.Branch))
        {
            // On a tag build Travis's TRAVIS_BRANCH is the tag's name, as the pipeline's ref is.
            yield return Pair("TRAVIS_BRANCH", assignment.Branch);
        }

        if (!string.IsNullOrEmpty(assignment.Tag))
        {
            yield return Pair("TRAVIS_TAG", assignment.Tag);
        }

        yield return Pair("TRAVIS_BUILD_STAGE_NAME", assignment.Job.Stage ?? "");
        yield return Pair("TRAVIS_ALLOW_FAILURE", assignment.Job.AllowFailure ? "true" : "false");
        yield return Pair("TRAVIS_BUILD_DIR", buildDirectory);
        yield return Pair("TRAVIS_REPO_SLUG", assignment.ProjectName);
        yield return Pair("TRAVIS_PULL_REQUEST", "false");
        yield return Pair("TRAVIS_SECURE_ENV_VARS", assignment.SecureEnvVars ? "true" : "false");
        yield return Pair("TRAVIS_PULL_REQUEST_BRANCH", "");
        yield return Pair("TRAVIS_PULL_REQUEST_SHA", "");
        yield return Pair("TRAVIS_PULL_REQUEST_SLUG", "");
        yield return Pair("TRAVIS_EVENT_TYPE", assignment.EventType);
        yield return Pair("TRAVIS_SUDO", "false");
        yield return Pair("TRAVIS_OS_NAME", assignment.Job.Platform?.Os ?? "linux");
        if (assignment.Job.Platform?.Dist is { } dist)
        {
            yield return Pair("TRAVIS_DIST", dist);
        }

        yield return Pair("TRAVIS_CPU_ARCH", RuntimeInformation.OSArchitecture switch
        {
            Architecture.Arm64 => "arm64",
            Architecture.Ppc64le => "ppc64le",
            Architecture.S390x => "s390x",
            _ => "amd64",
        });
        if (testResult is { } result)
        {
            yield return Pair("TRAVIS_TEST_RESULT", Number(result));
        }
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static KeyValuePair<string, string> Pair(string name, string value) => new(name, value);
}
