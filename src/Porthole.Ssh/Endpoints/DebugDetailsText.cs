using System.Globalization;
using System.Text;
using Porthole.Contracts.Ssh;
using Porthole.Execution.Logging;

namespace Porthole.Ssh.Endpoints;

/// <summary>How to join a debug build's session, as the Debug section prints it (R-DBG-3), in Travis's words.</summary>
internal static class DebugDetailsText
{
    /// <param name="cap">The most the session may live after its start with every <c>porthole-extend</c> (R-BEY-4).</param>
    /// <param name="openAccess">sshd lets anyone with the run's token in, and open access has not ended.</param>
    public static string Render(
        SshEndpointInfo info,
        string hostKeyLabel,
        long jobId,
        int nodeIndex,
        bool quiet,
        TimeSpan timeout,
        TimeSpan cap,
        IReadOnlyList<KeyGrant> grants,
        bool openAccess)
    {
        var command = string.Create(CultureInfo.InvariantCulture, $"ssh -p {info.Port} {info.User}@{info.Host}");
        var text = new StringBuilder();
        void Line(string line = "") => text.Append(line).Append('\n');

        Line("Use the following SSH command to access the interactive debugging environment:");
        Line(command);
        if (quiet)
        {
            Line("This build is running in quiet mode. No session output will be displayed.");
        }

        Line($"This debug build will stay alive for {AliveText(timeout)}.");
        Line($"In the session: porthole-extend [30m] keeps it longer (at most {DurationText.Format(cap)} after its start), porthole-release ends it now.");
        Line();
        Line($"{hostKeyLabel} key fingerprint of the host is");
        Line($"  {info.HostKeyFingerprint}");
        Line("Keys accepted on this node:");
        if (grants.Count == 0)
        {
            Line("  none for now; add a key to your account with `porthole keys add`.");
        }

        foreach (var grant in grants)
        {
            Line(grant.ReadOnly
                ? $"  {grant.Fingerprint} {grant.Key.TypeLabel} ({grant.UserName}, read-only: watches, cannot type)"
                : $"  {grant.Fingerprint} {grant.Key.TypeLabel} ({grant.UserName})");
        }

        if (openAccess)
        {
            Line("This project lets anyone with the ssh command in (debug_open_access), whatever their key: that command carries");
            Line("the session's token, so it is not in this log; the project's writers get it from");
            Line(string.Create(CultureInfo.InvariantCulture, $"`porthole debug {jobId} --no-connect` or the job's SSH panel. Switching debug_open_access"));
            Line("(or debug_enabled) off ends the sessions it let in and refuses that command for the rest of this run;");
            Line("cancel the job to end every session.");
        }

        Line("Every connection joins the same terminal session (tmux): what one types, the others see.");
        Line($"To watch without typing: {command} -t -- watch");
        Line("Whoever only watches sees the job's secret variables masked, as in this log.");
        Line("The easy way: the Porthole CLI connects with the right port, user and key, and pins the host key:");
        Line(string.Create(CultureInfo.InvariantCulture, $"    $ porthole ssh {jobId} --node {nodeIndex}"));
        Line(string.Create(CultureInfo.InvariantCulture, $"(`porthole debug {jobId} [--quiet]` starts another debug build of this job.)"));
        return text.ToString();
    }

    private static string AliveText(TimeSpan duration) =>
        duration.Ticks % TimeSpan.TicksPerMinute == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{(long)duration.TotalMinutes} minute{(duration == TimeSpan.FromMinutes(1) ? string.Empty : "s")}")
            : DurationText.Format(duration);
}
