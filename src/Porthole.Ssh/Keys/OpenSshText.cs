using System.Globalization;

namespace Porthole.Ssh.Keys;

/// <summary>How the OpenSSH client wants names and paths written: shared by the CLI and the server's browser terminals.</summary>
public static class OpenSshText
{
    /// <summary>The name ssh looks a host up by in known_hosts: <c>[host]:port</c>, or the bare host on port 22.</summary>
    public static string KnownHostsName(string host, int port) =>
        port == 22 ? host : string.Create(CultureInfo.InvariantCulture, $"[{host}]:{port}");

    /// <summary>A path as the value of <c>-o NAME=VALUE</c> or <c>-i</c>: ssh expands %-tokens (a literal % is %%) and splits at spaces.</summary>
    public static string ConfigValue(string path)
    {
        var value = path.Replace("%", "%%", StringComparison.Ordinal);
        return value.Any(char.IsWhiteSpace) ? $"\"{value}\"" : value;
    }
}
