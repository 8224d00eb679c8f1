namespace Porthole.Ssh.Endpoints;

/// <summary>
/// One connection that passed authentication, named by the client's address and port as sshd saw them, with the
/// sessions the attach script reported for it (a multiplexing client may open several on one connection).
/// </summary>
internal sealed class SshConnection(string address, int port, string fingerprint, string keyType, string? userName, DateTimeOffset authenticatedAt)
{
    public string Address { get; } = address;

    public int Port { get; } = port;

    /// <summary>The client as the audit reports it: who connected to the runner, when a relay stood between (<see cref="SshdRelay"/>).</summary>
    public (string Address, int Port) Client { get; init; } = (address, port);

    public string Fingerprint { get; } = fingerprint;

    public string KeyType { get; } = keyType;

    public string? UserName { get; } = userName;

    public DateTimeOffset AuthenticatedAt { get; } = authenticatedAt;

    public List<AuditLine> Sessions { get; } = [];

    public bool Ended { get; set; }

    public override string ToString() => $"{Address} port {Port}";
}
