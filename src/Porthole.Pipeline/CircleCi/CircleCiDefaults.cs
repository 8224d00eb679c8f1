namespace Porthole.Pipeline.CircleCi;

internal static class CircleCiDefaults
{
    /// <summary>CircleCI's shell for run steps when neither the step nor the job names one.</summary>
    public const string Shell = "/bin/bash -eo pipefail";

    /// <summary>On macOS CircleCI's default is a login shell (CR "Default shell options").</summary>
    public const string MacOsShell = "/bin/bash --login -eo pipefail";

    public const string WorkingDirectory = "~/project";

    /// <summary>The workflow CircleCI 2.0 makes when a config has no workflows: it runs the job named build.</summary>
    public const string ImplicitWorkflow = "workflow";

    public const string ImplicitJob = "build";

    public const string CheckoutName = "Checkout code";

    /// <summary>The name CircleCI's job page gives a <c>setup_remote_docker</c> step.</summary>
    public const string SetupRemoteDockerName = "Setup a remote Docker engine";

    /// <summary>The default names of the job-data steps, as CircleCI's job page and schema give them (§A5).</summary>
    public const string SaveCacheName = "Saving Cache";

    public const string RestoreCacheName = "Restoring Cache";

    public const string PersistToWorkspaceName = "Persisting to Workspace";

    public const string AttachWorkspaceName = "Attaching Workspace";

    public const string StoreArtifactsName = "Uploading artifacts";

    public const string StoreTestResultsName = "Uploading test results";

    /// <summary>
    /// Far above what CircleCI plans allow; it keeps a typo such as 4000 from making thousands of nodes.
    /// </summary>
    public const int MaxParallelism = 256;
}
