using System.Globalization;
using System.Text;
using Porthole.Contracts.Ssh;

namespace Porthole.Ssh.Endpoints;

/// <summary>
/// One line the attach script appends to the node's audit log when a session starts (R-SSH-10), tab-separated:
/// <c>start, unix time, user, fingerprint, client address, client port, pid, parent pid, command, mode, via</c>. The
/// command has backslash, tab, newline and carriage return escaped. The pid is the session's (its process group and
/// session id); the parent is sshd's process for the connection. The mode is <c>ro</c> for a session that can only watch
/// (a read-only key's, or a <c>watch</c> of a debug session: R-DBG-7), <c>rw</c> otherwise; a line without it is
/// <c>rw</c>. Via is <c>web</c> for a browser terminal's session (R-WEB-2), <c>ssh</c> otherwise; a line without it is
/// <c>ssh</c>.
/// </summary>
internal sealed record AuditLine(
    DateTimeOffset At,
    string UserName,
    string Fingerprint,
    string Address,
    int Port,
    int ProcessId,
    int ConnectionProcessId,
    string Command,
    bool ReadOnly = false,
    string Via = SshVia.Ssh)
{
    public static bool TryParse(string line, out AuditLine entry)
    {
        entry = null!;
        var fields = line.Split('\t');
        if (fields.Length is not (9 or 10 or 11) || fields[0] != "start"
            || (fields.Length >= 10 && fields[9] is not ("ro" or "rw"))
            || (fields.Length == 11 && fields[10] is not (SshVia.Ssh or SshVia.Web))
            || !long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || !int.TryParse(fields[5], NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            || !int.TryParse(fields[6], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            || !int.TryParse(fields[7], NumberStyles.None, CultureInfo.InvariantCulture, out var parent))
        {
            return false;
        }

        var readOnly = fields.Length >= 10 && fields[9] == "ro";
        var via = fields.Length == 11 ? fields[10] : SshVia.Ssh;
        entry = new AuditLine(DateTimeOffset.FromUnixTimeSeconds(seconds), fields[2], fields[3], fields[4], port, pid, parent, Unescape(fields[8]), readOnly, via);
        return true;
    }

    private static string Unescape(string text)
    {
        if (!text.Contains('\\', StringComparison.Ordinal))
        {
            return text;
        }

        var result = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\' || i + 1 == text.Length)
            {
                result.Append(text[i]);
                continue;
            }

            i++;
            result.Append(text[i] switch
            {
                't' => '\t',
                'n' => '\n',
                'r' => '\r',
                _ => text[i],
            });
        }

        return result.ToString();
    }
}
