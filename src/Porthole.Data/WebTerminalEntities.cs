namespace Porthole.Data;

/// <summary>
/// The key of one open browser terminal (R-WEB-2), granted on its node in its user's name. In the database, not in the
/// server's memory, so that the node's heartbeat finds it whichever server it reaches (issue 14). The server the terminal
/// runs on renews <see cref="ExpiresAt"/> while it is open and deletes the row when it closes; a row of a server that died
/// is ignored once it expires, and deleted when the next terminal opens.
/// </summary>
public sealed class WebTerminalGrantRecord
{
    public long Id { get; set; }
    public long NodeId { get; set; }
    public long UserId { get; set; }

    /// <summary>The terminal's public key, as an <c>authorized_keys</c> line takes it (a public key: never a secret, never logged all the same).</summary>
    public required string PublicKey { get; set; }

    /// <summary>The key's SHA256 fingerprint, as the node reports the keys it accepts.</summary>
    public required string Fingerprint { get; set; }

    /// <summary>The terminal asks for no more than watching, whatever its user may do.</summary>
    public bool ReadOnly { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }
}
