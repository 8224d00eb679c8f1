using System.Globalization;
using System.Text;
using Porthole.Contracts.Ssh;
using Porthole.Execution.Logging;

namespace Porthole.Ssh.Endpoints;

/// <summary>The connection details that Enable SSH and Wait for SSH print (R-SSH-3, R-SSH-5), in CircleCI's words.</summary>
internal static class ConnectionDetailsText
{
    public static string Render(
        SshEndpointInfo info,
        string hostKeyLabel,
        long jobId,
        int nodeIndex,
        TimeSpan firstConnectionTimeout,
        TimeSpan maxSessionTime,
        IReadOnlyList<KeyGrant> grants,
        string workingDirectory)
    {
        var command = string.Create(CultureInfo.InvariantCulture, $"ssh -p {info.Port} {info.User}@{info.Host}");
        var text = new StringBuilder();
        void Line(string line = "") => text.Append(line).Append('\n');

        Line("You can now SSH into this box if your SSH public key is added:");
        Line($"    $ {command}");
        Line("Use the same SSH public key that you added to your Porthole account (porthole keys list).");
        Line($"{hostKeyLabel} key fingerprint of the host is");
        Line($"  {info.HostKeyFingerprint}");
        Line($"This box will stay up for {DurationText.Format(maxSessionTime)}, or until {DurationText.Format(firstConnectionTimeout)} passes without an active SSH session.");
        Line();
        Line("Keys accepted on this node:");
        if (grants.Count == 0)
        {
            Line("  none for now; add a key to your account with `porthole keys add`.");
        }

        foreach (var grant in grants)
        {
            Line($"  {grant.Fingerprint} {grant.Key.TypeLabel} ({grant.UserName})");
        }

        Line("The easy way: the Porthole CLI connects with the right port, user and key, and pins the host key:");
        Line(string.Create(CultureInfo.InvariantCulture, $"    $ porthole ssh {jobId} --node {nodeIndex}"));
        Line("To run one command instead of a shell:");
        Line($"    $ {command} -- COMMAND");
        Line("scp, sftp and rsync work too, to take files out of the job.");
        Line();
        Line($"The session is an interactive login shell in the job's working directory ({workingDirectory}), with the job's environment,");
        Line("on top of what the steps left: it is not a clean run. The steps ran in a non-interactive shell, so a command may");
        Line("behave differently here.");
        return text.ToString();
    }
}
