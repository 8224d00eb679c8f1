using System.Net;

namespace Porthole.Ssh.Endpoints;

/// <summary>
/// How a runner serves SSH for its nodes. One instance is shared by the nodes of a runner; <see cref="NodeDirectory"/>
/// is set per node (<c>options with { NodeDirectory = … }</c>) or left null for a folder in the node's scratch folder.
/// </summary>
public sealed record SshOptions
{
    /// <summary>The ports nodes' sshd may listen on, both ends included (CircleCI server's default range).</summary>
    public int PortRangeStart { get; init; } = 64535;

    public int PortRangeEnd { get; init; } = 65535;

    /// <summary>The host users are told to connect to.</summary>
    public string AdvertisedHost { get; init; } = "127.0.0.1";

    /// <summary>The addresses sshd binds: loopback only unless the runner says otherwise (<c>0.0.0.0</c>, a public address).</summary>
    public IReadOnlyList<string> ListenAddresses { get; init; } = ["127.0.0.1"];

    /// <summary>The runner's persistent host key (see <see cref="Keys.HostKey"/>); made there if missing.</summary>
    public required string HostKeyPath { get; init; }

    public string SshdPath { get; init; } = "/usr/sbin/sshd";

    public string SftpServerPath { get; init; } = "/usr/lib/openssh/sftp-server";

    public string BashPath { get; init; } = "/bin/bash";

    /// <summary>The tmux of debug sessions (R-DBG-3).</summary>
    public string TmuxPath { get; init; } = "/usr/bin/tmux";

    /// <summary>The root-owned printf that answers sshd's AuthorizedKeysCommand in a debug run open to anyone with its command (R-DBG-7).</summary>
    public string PrintfPath { get; init; } = "/usr/bin/printf";

    /// <summary>The folder of this node's sshd files; it must be outside the job's working directory. Null: <c>SCRATCH/ssh</c>.</summary>
    public string? NodeDirectory { get; init; }

    /// <summary>How many ports are tried before Enable SSH gives up.</summary>
    public int MaxPortAttempts { get; init; } = 20;

    /// <summary>How long sshd may take to listen.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How often the endpoint looks whether the processes of its connections are still there (a safety net beside sshd's log).</summary>
    public TimeSpan LivenessInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public void Validate()
    {
        if (PortRangeStart is < 1 or > 65535 || PortRangeEnd is < 1 or > 65535 || PortRangeEnd < PortRangeStart)
        {
            throw new ArgumentException($"The SSH port range {PortRangeStart}-{PortRangeEnd} is not valid; give two ports between 1 and 65535, the lower first.");
        }

        if (ListenAddresses.Count == 0)
        {
            throw new ArgumentException("sshd needs at least one address to listen on (ListenAddresses).");
        }

        foreach (var address in ListenAddresses)
        {
            if (!IPAddress.TryParse(address, out _))
            {
                throw new ArgumentException($"The SSH listen address '{address}' is not an IP address.");
            }
        }

        if (string.IsNullOrWhiteSpace(AdvertisedHost))
        {
            throw new ArgumentException("The advertised SSH host is empty.");
        }

        foreach (var (name, path) in new[] { ("HostKeyPath", HostKeyPath), ("SshdPath", SshdPath), ("SftpServerPath", SftpServerPath), ("BashPath", BashPath), ("TmuxPath", TmuxPath), ("PrintfPath", PrintfPath) })
        {
            if (string.IsNullOrWhiteSpace(path) || !Path.IsPathRooted(path))
            {
                throw new ArgumentException($"{name} must be an absolute path, not '{path}'.");
            }
        }
    }
}
