using System.Globalization;
using System.Text.RegularExpressions;

namespace Porthole.Ssh.Endpoints;

internal enum SshdLogKind
{
    Other,

    /// <summary>The supervisor script's first line: sshd's pid.</summary>
    SshdPid,

    /// <summary><c>Server listening on 127.0.0.1 port 64537.</c></summary>
    Listening,

    /// <summary><c>Bind to port 64537 on 127.0.0.1 failed: Address already in use.</c></summary>
    BindFailed,

    /// <summary><c>Missing privilege separation directory: /run/sshd</c> (a root sshd on a host where sshd never ran as a service).</summary>
    PrivilegeSeparationDirectoryMissing,

    /// <summary><c>Accepted publickey for root from 127.0.0.1 port 57690 ssh2: ED25519 SHA256:…</c></summary>
    KeyAccepted,

    /// <summary><c>Failed publickey for root from 127.0.0.1 port 57690 ssh2: RSA SHA256:…</c> (a key not in authorized_keys).</summary>
    KeyRefused,

    /// <summary><c>Connection closed by invalid user ubuntu 127.0.0.1 port 57690 [preauth]</c>: a login name sshd refused before any key.</summary>
    LoginRefused,

    /// <summary><c>Starting session: forced-command (key-option) '…' for root from 127.0.0.1 port 57690 id 0</c>.</summary>
    SessionStarting,

    /// <summary><c>Close session: user root from 127.0.0.1 port 57690 id 0</c> (one channel, not the connection).</summary>
    SessionClosing,

    /// <summary><c>Disconnected from user root 127.0.0.1 port 57690</c>, <c>Connection closed by …</c>, <c>Timeout, client not responding …</c>.</summary>
    ConnectionEnded,
}

/// <summary>
/// One line of sshd's stderr (<c>sshd -D -e</c>, <c>LogLevel VERBOSE</c>), as OpenSSH 9.2 prints it, with the client's
/// address and port that name the connection.
/// </summary>
internal sealed partial record SshdLogLine(
    SshdLogKind Kind,
    string Address = "",
    int Port = 0,
    string? KeyType = null,
    string? Fingerprint = null,
    int ProcessId = 0,
    string? Detail = null)
{
    public static SshdLogLine Parse(string line)
    {
        Match match;
        if ((match = SshdPid().Match(line)).Success)
        {
            return new SshdLogLine(SshdLogKind.SshdPid, ProcessId: Number(match, "pid"));
        }

        if ((match = Listening().Match(line)).Success)
        {
            return new SshdLogLine(SshdLogKind.Listening, match.Groups["addr"].Value, Number(match, "port"));
        }

        if ((match = PrivilegeSeparationDirectory().Match(line)).Success)
        {
            return new SshdLogLine(SshdLogKind.PrivilegeSeparationDirectoryMissing, Detail: match.Groups["dir"].Value);
        }

        if ((match = BindFailed().Match(line)).Success)
        {
            return new SshdLogLine(SshdLogKind.BindFailed, match.Groups["addr"].Value, Number(match, "port"));
        }

        if ((match = PublicKey().Match(line)).Success)
        {
            return new SshdLogLine(
                match.Groups["verdict"].Value == "Accepted" ? SshdLogKind.KeyAccepted : SshdLogKind.KeyRefused,
                match.Groups["addr"].Value,
                Number(match, "port"),
                match.Groups["type"].Value,
                match.Groups["fp"].Value);
        }

        if ((match = LoginRefused().Match(line)).Success)
        {
            return new SshdLogLine(SshdLogKind.LoginRefused, match.Groups["addr"].Value, Number(match, "port"));
        }

        if ((match = SessionStarting().Match(line)).Success)
        {
            return new SshdLogLine(SshdLogKind.SessionStarting, match.Groups["addr"].Value, Number(match, "port"));
        }

        if ((match = SessionClosing().Match(line)).Success)
        {
            return new SshdLogLine(SshdLogKind.SessionClosing, match.Groups["addr"].Value, Number(match, "port"));
        }

        if ((match = ConnectionEnded().Match(line)).Success)
        {
            return new SshdLogLine(SshdLogKind.ConnectionEnded, match.Groups["addr"].Value, Number(match, "port"));
        }

        return new SshdLogLine(SshdLogKind.Other);
    }

    private static int Number(Match match, string group) => int.Parse(match.Groups[group].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^porthole-sshd-pid (?<pid>\d+)$")]
    private static partial Regex SshdPid();

    [GeneratedRegex(@"^Server listening on (?<addr>\S+) port (?<port>\d+)\.")]
    private static partial Regex Listening();

    [GeneratedRegex(@"^Missing privilege separation directory: (?<dir>/\S+)$")]
    private static partial Regex PrivilegeSeparationDirectory();

    [GeneratedRegex(@"^Bind to port (?<port>\d+) on (?<addr>\S+) failed")]
    private static partial Regex BindFailed();

    [GeneratedRegex(@"^(?<verdict>Accepted|Failed) publickey for (?:invalid user )?\S+ from (?<addr>\S+) port (?<port>\d+) ssh2: (?<type>\S+) (?<fp>SHA256:[A-Za-z0-9+/]+)")]
    private static partial Regex PublicKey();

    [GeneratedRegex(@"^(?:Connection closed by|Disconnected from) invalid user \S+ (?<addr>\S+) port (?<port>\d+)")]
    private static partial Regex LoginRefused();

    [GeneratedRegex(@"^Starting session: .* for \S+ from (?<addr>\S+) port (?<port>\d+) id \d+$")]
    private static partial Regex SessionStarting();

    [GeneratedRegex(@"^Close session: user \S+ from (?<addr>\S+) port (?<port>\d+) id \d+$")]
    private static partial Regex SessionClosing();

    [GeneratedRegex(@"^(?:Received disconnect from|Disconnected from|Disconnecting|Connection closed by|Connection reset by|Timeout, client not responding from|Read error from remote host) (?:(?:authenticating |invalid )?user \S+ )?(?<addr>\S+) port (?<port>\d+)")]
    private static partial Regex ConnectionEnded();
}
