using System.Globalization;
using System.Text.RegularExpressions;

namespace Porthole.Cli.Ssh;

/// <summary>
/// A key this machine can offer: a <c>~/.ssh/*.pub</c> file (with its private half next to it, or not), a key held by
/// the SSH agent, or both. <see cref="Type"/> is as ssh-keygen shows it (<c>ED25519</c>, <c>RSA</c>, …).
/// </summary>
public sealed record LocalKey(string Fingerprint, string Type, int? Bits, string? Comment, string? PublicKeyPath, string? PrivateKeyPath, bool InAgent)
{
    /// <summary>Whether ssh can sign with it: its private key file is there, or the agent holds it.</summary>
    public bool Usable => PrivateKeyPath is not null || InAgent;
}

/// <summary>The local keys found, and what got in the way of finding others (no ssh-keygen, an agent that did not answer).</summary>
public sealed record LocalKeyScan(IReadOnlyList<LocalKey> Keys, IReadOnlyList<string> Notes, string Home);

/// <summary>Finds the local keys: <c>~/.ssh/*.pub</c> fingerprinted with <c>ssh-keygen -l</c>, and the agent's with <c>ssh-add -l</c>.</summary>
internal static partial class LocalKeys
{
    private static readonly Dictionary<string, string?> NoEnvironment = [];

    public static string Home(CliContext context)
    {
        var home = context.Environment("HOME");
        if (string.IsNullOrEmpty(home))
        {
            home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        }

        return string.IsNullOrEmpty(home) ? throw new CliException("HOME is not set: cannot find ~/.ssh") : home;
    }

    /// <summary>A path under HOME written as <c>~/…</c>, as users type it.</summary>
    public static string Display(string path, string home)
    {
        var prefix = home.EndsWith('/') ? home : home + "/";
        return path.StartsWith(prefix, StringComparison.Ordinal) ? "~/" + path[prefix.Length..] : path;
    }

    /// <summary>A path the user typed, with a leading <c>~/</c> made absolute.</summary>
    public static string Expand(string path, string home) =>
        path == "~" ? home : path.StartsWith("~/", StringComparison.Ordinal) ? Path.Combine(home, path[2..]) : Path.GetFullPath(path);

    public static async Task<LocalKeyScan> ScanAsync(CliContext context, CancellationToken cancellationToken)
    {
        var home = Home(context);
        var notes = new List<string>();
        var keys = new List<LocalKey>();
        foreach (var file in PublicKeyFiles(Path.Combine(home, ".ssh")))
        {
            var result = await ToolProcess.RunAsync("ssh-keygen", ["-l", "-E", "sha256", "-f", file], NoEnvironment, cancellationToken);
            if (result is null)
            {
                notes.Add("ssh-keygen is not installed, so the keys in ~/.ssh could not be fingerprinted");
                break;
            }

            if (result.ExitCode != 0)
            {
                notes.Add($"{Display(file, home)} is not a public key ssh-keygen can read");
                continue;
            }

            var privateKey = file[..^".pub".Length];
            foreach (var line in Parse(result.Output))
            {
                if (keys.All(k => k.Fingerprint != line.Fingerprint))
                {
                    keys.Add(new LocalKey(line.Fingerprint, line.Type, line.Bits, line.Comment, file, File.Exists(privateKey) ? privateKey : null, InAgent: false));
                }
            }
        }

        foreach (var line in await AgentKeysAsync(context, notes, cancellationToken))
        {
            var index = keys.FindIndex(k => k.Fingerprint == line.Fingerprint);
            if (index >= 0)
            {
                keys[index] = keys[index] with { InAgent = true };
            }
            else
            {
                keys.Add(new LocalKey(line.Fingerprint, line.Type, line.Bits, line.Comment, null, null, InAgent: true));
            }
        }

        return new LocalKeyScan(keys, notes, home);
    }

    /// <summary>
    /// The public key of an agent-held key, from <c>ssh-add -L</c>: ssh's <c>-i</c> takes it to pick that key from the
    /// agent when there is no key file. Null when the agent no longer holds it.
    /// </summary>
    public static async Task<PublicKeyLine?> AgentPublicKeyAsync(CliContext context, string fingerprint, CancellationToken cancellationToken)
    {
        if (AgentEnvironment(context) is not { } environment)
        {
            return null;
        }

        var result = await ToolProcess.RunAsync("ssh-add", ["-L"], environment, cancellationToken);
        return result is { ExitCode: 0 }
            ? result.Output.Split('\n').Select(PublicKeyLine.TryParse).FirstOrDefault(key => key?.Fingerprint == fingerprint)
            : null;
    }

    private static IEnumerable<string> PublicKeyFiles(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return [];
        }

        try
        {
            return Directory.EnumerateFiles(folder, "*.pub").Where(File.Exists).Order(StringComparer.Ordinal).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static Dictionary<string, string?>? AgentEnvironment(CliContext context) =>
        context.Environment("SSH_AUTH_SOCK") is { Length: > 0 } socket ? new() { ["SSH_AUTH_SOCK"] = socket } : null;

    private static async Task<IReadOnlyList<FingerprintLine>> AgentKeysAsync(CliContext context, List<string> notes, CancellationToken cancellationToken)
    {
        if (AgentEnvironment(context) is not { } environment)
        {
            return [];
        }

        var result = await ToolProcess.RunAsync("ssh-add", ["-l", "-E", "sha256"], environment, cancellationToken);
        switch (result)
        {
            case null:
                notes.Add("ssh-add is not installed, so the agent's keys could not be listed");
                return [];
            case { ExitCode: 0 }:
                return Parse(result.Output);
            case { ExitCode: 1 }:
                // "The agent has no identities."
                return [];
            default:
                notes.Add($"the SSH agent at SSH_AUTH_SOCK did not answer: {Output.OneLine.Of(result.Error)}");
                return [];
        }
    }

    /// <summary>Lines such as <c>256 SHA256:AbC… ada@laptop (ED25519)</c>, as ssh-keygen -l and ssh-add -l print them.</summary>
    private static List<FingerprintLine> Parse(string output)
    {
        var lines = new List<FingerprintLine>();
        foreach (var line in output.Split('\n'))
        {
            var match = FingerprintPattern().Match(line.TrimEnd('\r'));
            if (match.Success)
            {
                var comment = match.Groups["comment"].Value.Trim();
                lines.Add(new FingerprintLine(
                    match.Groups["fingerprint"].Value,
                    match.Groups["type"].Value,
                    int.TryParse(match.Groups["bits"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var bits) ? bits : null,
                    comment is "" or "no comment" ? null : comment));
            }
        }

        return lines;
    }

    [GeneratedRegex(@"^(?<bits>\d+) (?<fingerprint>SHA256:[A-Za-z0-9+/]+=*)(?: (?<comment>.*?))? \((?<type>[A-Za-z0-9\-]+)\)$")]
    private static partial Regex FingerprintPattern();

    private sealed record FingerprintLine(string Fingerprint, string Type, int? Bits, string? Comment);
}
