using Porthole.Contracts.Ssh;

namespace Porthole.Execution.Logging;

/// <summary>
/// Durations the way CircleCI prints them (Go's format): <c>10m0s</c>, <c>2h0m0s</c>, <c>45s</c>, <c>1.5s</c>,
/// <c>300ms</c>. Step and job messages use them, and so do the SSH sections' connection details and wait rules. The
/// text is <see cref="SshDuration.Format"/>'s, which the server's answers to <c>porthole ssh extend</c> use too.
/// </summary>
public static class DurationText
{
    public static string Format(TimeSpan duration) => SshDuration.Format(duration);
}
