using System.Globalization;
using Porthole.Contracts.Api;
using Porthole.Cli.Output;

namespace Porthole.Cli.Ssh;

/// <summary>
/// <c>porthole ssh doctor</c>'s report: the "Permission denied (publickey)" troubleshooting in one look. The node's
/// endpoint, the keys it accepts, every key offered to it (refused ones with the reason), this machine's keys, and
/// a conclusion that says what to do.
/// </summary>
internal static class SshDoctor
{
    /// <param name="cli">How the user runs the CLI (<see cref="CliContext.CommandName"/>), for the commands the conclusion suggests.</param>
    public static void Write(TextWriter output, string cli, JobSshView view, int nodeIndex, SshNodeView? node, LocalKeyScan scan)
    {
        var nodes = view.Nodes ?? [];
        var requester = string.IsNullOrWhiteSpace(view.RequestedBy) ? "" : $" requested by {OneLine.Of(view.RequestedBy)}";
        output.WriteLine($"job {view.JobId} attempt {view.Attempt}: SSH rerun{requester}");
        if (nodes.Count > 1)
        {
            output.WriteLine($"nodes {string.Join(", ", nodes.Select(n => n.Index))}; this is node {nodeIndex} (pick another with --node N)");
        }

        var accepted = node?.AcceptedFingerprints ?? [];
        WriteEndpoint(output, nodeIndex, node, accepted);
        var events = (view.KeyEvents ?? []).Where(e => e.Node == nodeIndex).OrderBy(e => e.At).ToList();
        WriteKeyEvents(output, nodeIndex, events);
        WriteSessions(output, nodeIndex, (view.Sessions ?? []).Where(s => s.Node == nodeIndex).OrderBy(s => s.StartedAt).ToList());
        WriteLocalKeys(output, scan, accepted, events);
        output.WriteLine($"conclusion: {Conclusion(cli, view.JobId, nodeIndex, node, scan, accepted, events)}");
    }

    /// <summary>What to do, from the local keys, the accepted fingerprints and the reasons keys were refused.</summary>
    public static string Conclusion(string cli, long jobId, int nodeIndex, SshNodeView? node, LocalKeyScan scan, IReadOnlyList<string> accepted, IReadOnlyList<SshKeyEventView> events)
    {
        var porthole = nodeIndex == 0 ? $"{cli} ssh {jobId}" : $"{cli} ssh {jobId} --node {nodeIndex}";
        var rerun = $"rerun with SSH ({cli} rerun {jobId} --ssh)";
        if (node is null)
        {
            return $"job {jobId} has no node {nodeIndex} yet: wait for the attempt to start, then run {cli} ssh doctor {jobId} again";
        }

        if (Identity.Pick(scan, accepted) is { } key)
        {
            var up = SshEndpoint.IsUp(node);
            if (!up)
            {
                return $"your key {key.Fingerprint} is accepted, but node {nodeIndex} is not up yet ({node.Status}): {porthole} waits for it, then connects";
            }

            var port = node.Port!.Value.ToString(CultureInfo.InvariantCulture);
            var destination = $"{node.User}@{node.Host}";
            return (key.PrivateKeyPath ?? key.PublicKeyPath) is { } file
                ? $"your key {key.Fingerprint} is accepted: ssh -i {LocalKeys.Display(file, scan.Home)} -p {port} {destination} (or {porthole}, which also pins the host key)"
                : $"your agent's key {key.Fingerprint} is accepted: ssh -p {port} {destination} offers it (or {porthole}, which also pins the host key)";
        }

        if (scan.Keys.FirstOrDefault(k => accepted.Contains(k.Fingerprint)) is { } unusable)
        {
            var missing = unusable.PublicKeyPath is { } pub ? $"{LocalKeys.Display(pub[..^".pub".Length], scan.Home)} is missing" : "its private key is not here";
            return $"your key {unusable.Fingerprint} is accepted, but {missing} and the SSH agent does not hold it: ssh-add it, or pass {porthole} --identity FILE";
        }

        foreach (var refused in events.Where(e => !e.Accepted && e.Fingerprint is not null))
        {
            if (scan.Keys.FirstOrDefault(k => k.Fingerprint == refused.Fingerprint) is not { } mine)
            {
                continue;
            }

            var which = $"{Name(mine, scan.Home)} ({mine.Fingerprint})";
            var reason = OneLine.Of(refused.Reason);
            if (reason.StartsWith("not registered", StringComparison.OrdinalIgnoreCase))
            {
                return $"your key {which} is not registered to any user: add it with {cli} keys add {PublicFileToAdd(mine, scan)} and {rerun}";
            }

            if (reason.Contains("write access", StringComparison.OrdinalIgnoreCase))
            {
                return $"your key {which} is {reason}: only keys of users with write access are accepted; " +
                    $"ask a project admin for write access, or add a key of yours ({cli} keys add FILE.pub) and {rerun}";
            }

            return $"your key {which} was refused: {(reason.Length == 0 ? "no reason recorded" : reason)}";
        }

        var candidate = scan.Keys.FirstOrDefault(k => k is { PublicKeyPath: not null, PrivateKeyPath: not null });
        var make = candidate is null ? "make a key with ssh-keygen -t ed25519; " : "";
        return $"none of your local keys is accepted: {make}add one with {cli} keys add {PublicFileToAdd(candidate, scan)} and {rerun}";
    }

    private static void WriteEndpoint(TextWriter output, int nodeIndex, SshNodeView? node, IReadOnlyList<string> accepted)
    {
        if (node is null)
        {
            output.WriteLine($"node {nodeIndex}: not in this attempt yet");
            return;
        }

        output.WriteLine($"node {nodeIndex}: {node.Status}");
        if (SshEndpoint.IsUp(node))
        {
            var command = string.IsNullOrWhiteSpace(node.Command)
                ? string.Create(CultureInfo.InvariantCulture, $"ssh -p {node.Port} {node.User}@{node.Host}")
                : OneLine.Of(node.Command);
            var hostKey = PublicKeyLine.TryParse(node.HostKey);
            var fingerprint = Format.Text(node.HostKeyFingerprint ?? hostKey?.Fingerprint);
            output.WriteLine($"  endpoint:  {command}");
            output.WriteLine($"  host key:  {fingerprint}{(hostKey is null ? "" : $" ({hostKey.Type})")}");
        }
        else
        {
            output.WriteLine("  endpoint:  not up yet (its sshd starts with the node's Enable SSH step)");
        }

        if (accepted.Count == 0)
        {
            output.WriteLine("  accepted keys: none");
            return;
        }

        output.WriteLine("  accepted keys:");
        foreach (var fingerprint in accepted)
        {
            output.WriteLine($"    {fingerprint}");
        }
    }

    private static void WriteKeyEvents(TextWriter output, int nodeIndex, List<SshKeyEventView> events)
    {
        if (events.Count == 0)
        {
            output.WriteLine($"keys offered to node {nodeIndex}: none yet");
            return;
        }

        output.WriteLine($"keys offered to node {nodeIndex}:");
        var table = new Table("TIME", "RESULT", "FINGERPRINT", "TYPE", "FROM", "DETAIL");
        foreach (var e in events)
        {
            var owner = string.IsNullOrWhiteSpace(e.User) ? null : $"key of {e.User}";
            var detail = e.Accepted ? owner ?? "" : string.Join("; ", new[] { OneLine.Of(e.Reason), owner }.Where(s => !string.IsNullOrEmpty(s)));
            table.Add(Format.Time(e.At), e.Accepted ? "accepted" : "refused", Format.Text(e.Fingerprint), Format.Text(e.KeyType), Format.Text(e.Address), detail);
        }

        table.WriteTo(output, indent: "  ", header: false);
    }

    private static void WriteSessions(TextWriter output, int nodeIndex, List<SshSessionView> sessions)
    {
        if (sessions.Count == 0)
        {
            return;
        }

        output.WriteLine($"sessions on node {nodeIndex}:");
        var table = new Table("STARTED", "ENDED", "USER", "FINGERPRINT", "FROM", "COMMAND");
        foreach (var s in sessions)
        {
            table.Add(
                Format.Time(s.StartedAt),
                s.EndedAt is { } ended ? Format.Time(ended) : "open",
                Format.Text(s.User),
                Format.Text(s.Fingerprint),
                Format.Text(s.Address),
                string.IsNullOrWhiteSpace(s.Command) ? "login shell" : OneLine.Of(s.Command));
        }

        table.WriteTo(output, indent: "  ", header: false);
    }

    private static void WriteLocalKeys(TextWriter output, LocalKeyScan scan, IReadOnlyList<string> accepted, List<SshKeyEventView> events)
    {
        if (scan.Keys.Count == 0)
        {
            output.WriteLine("your local keys: none (no ~/.ssh/*.pub, no key in an SSH agent)");
        }
        else
        {
            output.WriteLine("your local keys:");
            var table = new Table("FINGERPRINT", "TYPE", "WHERE", "STATUS");
            foreach (var key in scan.Keys)
            {
                table.Add(key.Fingerprint, key.Type, Where(key, scan.Home), LocalStatus(key, accepted, events));
            }

            table.WriteTo(output, indent: "  ", header: false);
        }

        foreach (var note in scan.Notes)
        {
            output.WriteLine($"  note: {note}");
        }
    }

    private static string LocalStatus(LocalKey key, IReadOnlyList<string> accepted, List<SshKeyEventView> events)
    {
        if (accepted.Contains(key.Fingerprint))
        {
            return key.Usable ? "accepted" : "accepted, but its private key is not here and the agent does not hold it";
        }

        var refused = events.LastOrDefault(e => !e.Accepted && e.Fingerprint == key.Fingerprint);
        return refused is null
            ? "not accepted by this job"
            : $"not accepted by this job; refused at {Format.Time(refused.At)}: {Format.Text(refused.Reason)}";
    }

    private static string Where(LocalKey key, string home)
    {
        var places = new List<string>();
        if (key.PublicKeyPath is { } file)
        {
            places.Add(LocalKeys.Display(file, home) + (key.PrivateKeyPath is null ? " (no private key)" : ""));
        }

        if (key.InAgent)
        {
            places.Add(string.IsNullOrWhiteSpace(key.Comment) || key.PublicKeyPath is not null ? "agent" : $"agent: {key.Comment}");
        }

        return string.Join(", ", places);
    }

    private static string Name(LocalKey key, string home) =>
        key.PublicKeyPath is { } file ? LocalKeys.Display(file, home) : $"in the agent{(string.IsNullOrWhiteSpace(key.Comment) ? "" : $" ({key.Comment})")}";

    private static string PublicFileToAdd(LocalKey? key, LocalKeyScan scan) =>
        key?.PublicKeyPath is { } file ? LocalKeys.Display(file, scan.Home) : "~/.ssh/id_ed25519.pub";
}
