using Porthole.Execution.Processes;

namespace Porthole.Execution.Shell;

/// <summary>
/// Ends groups of processes by id: SIGTERM, a grace period, then SIGKILL until none is left. Membership is
/// read from /proc each round, so children forked meanwhile are caught too, and zombies count as ended
/// (pid 1 of a container may never reap them). Never signals the runner's own process or process group.
/// </summary>
internal sealed class ProcessTree(TimeProvider timeProvider)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>How long SIGKILL is repeated before giving up on a process that does not go (stuck in the kernel, say).</summary>
    private static readonly TimeSpan KillPatience = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Ends the session <paramref name="sessionId"/> that <c>setsid</c> made for a step: every process group in it,
    /// grandchildren included. <paramref name="leaderRunning"/> covers the instant before the leader called setsid.
    /// </summary>
    public Task EndSessionAsync(int sessionId, Func<bool> leaderRunning, TimeSpan grace) =>
        EndAsync(
            () =>
            {
                var members = ProcessTable.Read().MembersOfSession(sessionId).ToList();
                if (members.Count == 0 && leaderRunning())
                {
                    members.Add(new ProcStat(sessionId, 'R', 0, 0, 0));
                }

                return members;
            },
            (members, signal) =>
            {
                _ = ProcessSignals.SendToGroup(sessionId, signal);
                foreach (var member in members)
                {
                    _ = ProcessSignals.Send(member.Pid, signal);
                    if (member.ProcessGroup != sessionId)
                    {
                        _ = ProcessSignals.SendToGroup(member.ProcessGroup, signal);
                    }
                }
            },
            grace,
            CancellationToken.None);

    /// <summary>
    /// Ends every process whose environment carries <paramref name="environmentEntry"/> (those that left their session,
    /// or a crashed runner's leftovers), never this process; returns how many were ended.
    /// </summary>
    public Task<int> EndTaggedAsync(string environmentEntry, TimeSpan grace, CancellationToken cancellationToken = default) =>
        EndAsync(
            () => ProcFs.LivingProcessesWithEnvironmentEntry(environmentEntry, exceptPid: Environment.ProcessId),
            (members, signal) =>
            {
                foreach (var member in members)
                {
                    _ = ProcessSignals.Send(member.Pid, signal);
                }
            },
            grace,
            cancellationToken);

    /// <summary>Returns how many of the processes it saw are gone at the end.</summary>
    private async Task<int> EndAsync(Func<List<ProcStat>> findMembers, Action<List<ProcStat>, int> send, TimeSpan grace, CancellationToken cancellationToken)
    {
        var members = findMembers();
        if (members.Count == 0)
        {
            return 0;
        }

        var seen = new HashSet<int>(members.Select(m => m.Pid));
        send(members, ProcessSignals.SigTerm);
        var termDeadline = timeProvider.GetTimestamp();
        while (timeProvider.GetElapsedTime(termDeadline) < grace)
        {
            await Task.Delay(PollInterval, timeProvider, cancellationToken);
            members = findMembers();
            seen.UnionWith(members.Select(m => m.Pid));
            if (members.Count == 0)
            {
                return seen.Count;
            }
        }

        var killStarted = timeProvider.GetTimestamp();
        while (members.Count > 0 && timeProvider.GetElapsedTime(killStarted) < KillPatience)
        {
            send(members, ProcessSignals.SigKill);
            await Task.Delay(PollInterval, timeProvider, cancellationToken);
            members = findMembers();
            seen.UnionWith(members.Select(m => m.Pid));
        }

        seen.ExceptWith(members.Select(m => m.Pid));
        return seen.Count;
    }
}
