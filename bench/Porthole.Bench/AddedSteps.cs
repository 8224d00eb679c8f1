namespace Porthole.Bench;

/// <summary>The steps Porthole adds to a job's own, by the names the job's API gives them.</summary>
public static class AddedSteps
{
    /// <summary>The docker executor's setup: pulls, network and containers.</summary>
    public const string SpinUp = "Spin up environment";

    /// <summary>A rerun with SSH's first section: sshd starts, listening.</summary>
    public const string EnableSsh = "Enable SSH";
}
