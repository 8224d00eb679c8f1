using System.Globalization;
using System.Text;

namespace Porthole.Ssh.Endpoints;

/// <summary>
/// The sshd_config of one node. Public keys only, one account, everything but sessions switched off. It works for a
/// root sshd and for one that runs as an ordinary user (then it can only log in that user): <c>StrictModes no</c>,
/// <c>UsePAM no</c>, <c>PidFile none</c>, absolute paths everywhere. Local port forwarding is allowed here to the node's
/// own addresses only, and authorized_keys decides per key whether it is on (<see cref="AuthorizedKeysText"/>): so that
/// switching the project's setting applies at the next rewrite of the keys, without restarting sshd. Remote
/// forwarding, Unix sockets, the agent, X11 and tunnels stay off.
/// </summary>
internal static class SshdConfigText
{
    /// <param name="forwardHosts">The node's addresses a forwarded connection may open (any port); none: no forwarding at all.</param>
    /// <param name="openAccess">The lines that let any key in (<see cref="OpenAccessText"/>), or null.</param>
    public static string Render(
        int port,
        IReadOnlyList<string> listenAddresses,
        string hostKeyPath,
        string account,
        NodeSshFiles files,
        IReadOnlyList<string> forwardHosts,
        string? openAccess = null)
    {
        var text = new StringBuilder();
        void Line(string line) => text.Append(line).Append('\n');

        Line("# Written by Porthole for one node; rewritten at every start.");
        Line(string.Create(CultureInfo.InvariantCulture, $"Port {port}"));
        Line("AddressFamily any");
        foreach (var address in listenAddresses)
        {
            Line($"ListenAddress {address}");
        }

        Line($"HostKey {Quote(hostKeyPath)}");
        Line("PubkeyAuthentication yes");
        Line("PasswordAuthentication no");
        Line("KbdInteractiveAuthentication no");
        Line("HostbasedAuthentication no");
        Line("PermitEmptyPasswords no");
        Line("AuthenticationMethods publickey");
        Line("PermitRootLogin prohibit-password");
        Line($"AllowUsers {account}");

        // AuthorizedKeysFile expands %-tokens; a literal % is written %%.
        Line($"AuthorizedKeysFile {Quote(files.AuthorizedKeysPath.Replace("%", "%%", StringComparison.Ordinal))}");
        if (openAccess is null)
        {
            Line("AuthorizedKeysCommand none");
        }
        else
        {
            text.Append(openAccess);
        }

        Line("AuthorizedPrincipalsFile none");
        Line("StrictModes no");
        Line("UsePAM no");
        Line("PidFile none");
        Line("LogLevel VERBOSE");
        Line("PrintMotd no");
        Line("PrintLastLog no");
        Line("UseDNS no");
        Line("PermitUserEnvironment no");

        // sshd runs the forced command with the account's shell, which would read the account's own rc files from
        // HOME (bash does under sshd even with -c): a folder of the node's without any keeps them out of sessions.
        // The attach script then sets the job's HOME.
        Line($"SetEnv HOME={Quote(files.Directory)}");

        // With a forced command, an sftp client arrives in it as SSH_ORIGINAL_COMMAND=internal-sftp.
        Line("Subsystem sftp internal-sftp");
        if (forwardHosts.Count == 0)
        {
            Line("AllowTcpForwarding no");
        }
        else
        {
            Line("AllowTcpForwarding local");
            Line("PermitOpen " + string.Join(' ', forwardHosts.Select(AuthorizedKeysText.ForwardTarget)));
            Line("PermitListen none");
        }

        Line("AllowStreamLocalForwarding no");
        Line("AllowAgentForwarding no");
        Line("X11Forwarding no");
        Line("PermitTunnel no");
        Line("GatewayPorts no");
        Line("ClientAliveInterval 15");
        Line("ClientAliveCountMax 3");
        Line("LoginGraceTime 20");

        // Room for a hundred clients connecting at once (the benchmark opens 100), and for multiplexed sessions.
        Line("MaxStartups 200");
        Line("MaxSessions 100");
        Line("MaxAuthTries 10");
        return text.ToString();
    }

    private static string Quote(string path) => "\"" + path + "\"";
}
