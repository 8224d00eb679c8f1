using System.Globalization;
using System.Text;
using Porthole.Contracts.Ssh;

namespace Porthole.Ssh.Endpoints;

/// <summary>
/// R-DBG-7's opt-in, "anyone with the ssh command gets in": the sshd_config lines that accept any key. sshd asks an
/// <c>AuthorizedKeysCommand</c> for the lines of a key that authorized_keys does not hold; <c>printf</c> answers every key
/// with the same forced command (the attach script, as <see cref="DebugRequest.OpenAccessUser"/>, with the key's
/// fingerprint and <c>open</c>), and the attach script then lets the connection in only if it sent the run's token
/// (<c>AcceptEnv</c> <see cref="DebugRequest.TokenVariable"/>). sshd runs the command only if it and its folders belong
/// to root and nobody else may write them: Debian's <c>/usr/bin/printf</c> does; a script of ours in the node's folder
/// would not.
/// </summary>
internal static class OpenAccessText
{
    /// <summary>Stands for the fingerprint while the forced command is built, then becomes printf's <c>%s</c>.</summary>
    private const char FingerprintMark = '\u0001';

    /// <summary>The sshd_config lines, or why open access cannot be offered on this machine.</summary>
    public static (string? Lines, string? Problem) Render(string printfPath, string account, string bashPath, string attachScriptPath)
    {
        if (WhyNotUsable(printfPath) is { } problem)
        {
            return (null, problem);
        }

        var options = AuthorizedKeysText.Options(bashPath, attachScriptPath, DebugRequest.OpenAccessUser, FingerprintMark.ToString(), AuthorizedKeysText.OpenAccessFlag);
        var format = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(options + " " + FingerprintMark + " " + FingerprintMark + "\n"))
        {
            // sshd splits the command line at spaces and takes quotes and backslashes; printf reads \xHH and %. Only
            // characters that mean nothing to either go as they are; sshd's own %-tokens are written %%.
            format.Append(b switch
            {
                (byte)FingerprintMark => "%%s",
                _ when char.IsAsciiLetterOrDigit((char)b) || b is (byte)'/' or (byte)'.' or (byte)'_' or (byte)'-' or (byte)',' or (byte)'=' or (byte)'+' => ((char)b).ToString(),
                _ => string.Create(CultureInfo.InvariantCulture, $"\\x{b:x2}"),
            });
        }

        // A root sshd runs the command as nobody (it only prints); an sshd of an ordinary account can only run it as itself.
        var commandUser = Environment.IsPrivilegedProcess ? "nobody" : account;
        var lines = $"""
            AuthorizedKeysCommand {printfPath} {format} %f %t %k
            AuthorizedKeysCommandUser {commandUser}
            AcceptEnv {DebugRequest.TokenVariable}

            """;
        return (lines.Replace("\r", string.Empty, StringComparison.Ordinal), null);
    }

    private static string? WhyNotUsable(string printfPath)
    {
        if (!Path.IsPathRooted(printfPath) || printfPath.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '\\' or '%'))
        {
            return $"'{printfPath}' is not a plain absolute path";
        }

        for (var path = printfPath; !string.IsNullOrEmpty(path); path = Path.GetDirectoryName(path))
        {
            var info = new FileInfo(path);
            if (!info.Exists && !Directory.Exists(path))
            {
                return $"{printfPath} is missing (Debian's coreutils has it)";
            }

            var status = ProcessesFileOwner(path);
            if (status is not { Owner: 0 } || (status.Value.Mode & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
            {
                return $"sshd runs an AuthorizedKeysCommand only if it and its folders belong to root and nobody else may write them, and {path} does not";
            }
        }

        return null;
    }

    private static (uint Owner, UnixFileMode Mode)? ProcessesFileOwner(string path)
    {
        try
        {
            var mode = File.GetUnixFileMode(path);
            var owner = Processes.FileOwner.Of(path);
            return owner is null ? null : (owner.Value, mode);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
