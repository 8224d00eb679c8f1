namespace Porthole.Pipeline.Travis;

internal enum PhaseMode
{
    /// <summary>before_install, install, before_script: the first failing command ends the phase and the job.</summary>
    StopAtFirstFailure,

    /// <summary>script and the after_* phases: every command runs; the phase fails if any did.</summary>
    RunEvery,
}
