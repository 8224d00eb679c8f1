using Porthole.Execution.JobData;

namespace Porthole.Execution.StepHandlers;

/// <summary>What the archive steps say when a node's tar has extracted (or refused) what the runner fed it.</summary>
internal static class ArchiveSteps
{
    public static async Task<int> EndExtractAsync(StepScope scope, TarRun run, string what)
    {
        if (run.Complaints.Length > 0)
        {
            await scope.SayAsync(run.Complaints);
        }

        switch (run.RunnerFailure)
        {
            case ArchiveRefusedException refused:
                throw new StepFailedException($"The {what} archive was refused, and extracting stopped: {refused.Message}");
            case OperationCanceledException:
                throw new OperationCanceledException(scope.Stopping);
            case { } failure when run.ExitCode == 0:
                throw new StepFailedException($"The {what} archive could not be read: {failure.Message}");
        }

        if (run.ExitCode != 0)
        {
            throw new StepFailedException($"tar on the node could not extract the {what} (exit code {run.ExitCode}).");
        }

        return 0;
    }
}
