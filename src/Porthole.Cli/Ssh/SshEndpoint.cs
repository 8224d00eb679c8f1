using System.Text.RegularExpressions;
using Porthole.Contracts.Api;

namespace Porthole.Cli.Ssh;

/// <summary>
/// A node's sshd as the server reported it, checked before any of it reaches ssh's command line or known_hosts:
/// a host or user that could read as an option, or a host key that does not match its fingerprint, is refused.
/// </summary>
internal sealed partial record SshEndpoint(string Host, int Port, string User, PublicKeyLine HostKey, IReadOnlyList<string> AcceptedFingerprints)
{
    public string Destination => $"{User}@{Host}";

    /// <summary>Whether the node's sshd is up: the server fills in host, port, user and host key once it is.</summary>
    public static bool IsUp(SshNodeView node) =>
        node is { Host: not null and not "", Port: > 0, User: not null and not "", HostKey: not null and not "" };

    /// <summary>The endpoint of a node that <see cref="IsUp"/>; a <see cref="CliException"/> when the server's details are unusable.</summary>
    public static SshEndpoint From(long jobId, SshNodeView node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var where = $"job {jobId} node {node.Index}";
        if (node.Host is not { } host || !HostPattern().IsMatch(host))
        {
            throw new CliException($"the server gave {where} an SSH host this porthole will not use: '{Output.OneLine.Of(node.Host)}'");
        }

        if (node.Port is not { } port || port is <= 0 or > 65535)
        {
            throw new CliException($"the server gave {where} an SSH port this porthole will not use: {node.Port}");
        }

        if (node.User is not { } user || !UserPattern().IsMatch(user))
        {
            throw new CliException($"the server gave {where} an SSH user this porthole will not use: '{Output.OneLine.Of(node.User)}'");
        }

        if (PublicKeyLine.TryParse(node.HostKey) is not { } hostKey)
        {
            throw new CliException($"the server gave {where} a host key that is not an OpenSSH public key");
        }

        if (!string.IsNullOrEmpty(node.HostKeyFingerprint) && !string.Equals(hostKey.Fingerprint, node.HostKeyFingerprint.Trim(), StringComparison.Ordinal))
        {
            throw new CliException(
                $"the host key the server gave for {where} has fingerprint {hostKey.Fingerprint}, not {node.HostKeyFingerprint} as it says: not connecting");
        }

        return new SshEndpoint(host, port, user, hostKey, node.AcceptedFingerprints ?? []);
    }

    [GeneratedRegex("^(?:[A-Za-z0-9_](?:[A-Za-z0-9_.\\-]*[A-Za-z0-9_])?|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)$")]
    private static partial Regex HostPattern();

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_.\\-]{0,63}$")]
    private static partial Regex UserPattern();
}
