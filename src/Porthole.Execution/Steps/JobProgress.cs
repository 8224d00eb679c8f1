namespace Porthole.Execution.Steps;

/// <summary>The job's result so far, as the steps' conditions and the node's result see it.</summary>
internal sealed class JobProgress
{
    private bool? _scriptPassed;

    /// <summary>A step that counts failed or timed out.</summary>
    public bool Failed { get; private set; }

    public bool TimedOut { get; private set; }

    /// <summary>What went wrong first, for the node's completion message.</summary>
    public string? FirstProblem { get; private set; }

    /// <summary>Travis's TRAVIS_TEST_RESULT: unset until the script phase ran, then 0 if it passed and 1 if not.</summary>
    public int? TravisTestResult => _scriptPassed switch
    {
        null => null,
        true => 0,
        false => 1,
    };

    public void RecordFailure(string problem, bool timedOut)
    {
        Failed = true;
        TimedOut |= timedOut;
        FirstProblem ??= problem;
    }

    public void RecordScriptPhase(bool passed) => _scriptPassed = (_scriptPassed ?? true) && passed;
}
