using Porthole.Execution.JobData;

namespace Porthole.Execution.Tests.JobData;

/// <summary>
/// The shim written to a temp folder, run by dash (/bin/sh, the shell executor's) or by busybox sh with only busybox's
/// own applets on PATH (what a busybox-based docker image has).
/// </summary>
internal sealed class ShimShells : IDisposable
{
    public const string Dash = "dash";

    public const string Busybox = "busybox";

    private static readonly string[] Applets = ["sh", "awk", "sort", "find", "cat", "wc", "printf", "echo", "ls"];

    private readonly TempFolder _folder = new("porthole-shim-");

    public ShimShells(string? timingsFile = null)
    {
        HaltFile = _folder.Combine("state dir", "it's halted");
        Directory.CreateDirectory(Path.GetDirectoryName(HaltFile)!);
        TimingsFile = timingsFile ?? _folder.Combine("timings.tsv");
        ScriptPath = _folder.Combine("circleci");
        File.WriteAllText(ScriptPath, CircleCiShim.Script(HaltFile, TimingsFile));
        File.SetUnixFileMode(ScriptPath, (UnixFileMode)0b111_101_101);
        AppletFolder = Directory.CreateDirectory(_folder.Combine("applets")).FullName;
        foreach (var applet in Applets)
        {
            File.CreateSymbolicLink(Path.Combine(AppletFolder, applet), "/bin/busybox");
        }

        Work = Directory.CreateDirectory(_folder.Combine("work")).FullName;
    }

    public string HaltFile { get; }

    public string TimingsFile { get; }

    public string ScriptPath { get; }

    public string AppletFolder { get; }

    /// <summary>The folder commands run in.</summary>
    public string Work { get; }

    public static TheoryData<string> Shells => new() { Dash, Busybox };

    public Task<ToolResult> RunAsync(string shell, string[] arguments, string? input = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var env = new Dictionary<string, string?> { ["CIRCLE_NODE_INDEX"] = null, ["CIRCLE_NODE_TOTAL"] = null };
        if (shell == Busybox)
        {
            env["PATH"] = AppletFolder;
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            env[name] = value;
        }

        var stdin = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(input ?? string.Empty));
        return shell == Busybox
            ? Tool.RunAsync("/bin/busybox", ["sh", ScriptPath, .. arguments], stdin, Work, env)
            : Tool.RunAsync("/bin/sh", [ScriptPath, .. arguments], stdin, Work, env);
    }

    /// <summary>Each node's share of a split, node 0 first.</summary>
    public async Task<List<IReadOnlyList<string>>> SplitAllAsync(string shell, int total, string input, params string[] flags)
    {
        var shares = new List<IReadOnlyList<string>>();
        for (var index = 0; index < total; index++)
        {
            var result = await RunAsync(shell, ["tests", "split", .. flags, "--index", index.ToString(System.Globalization.CultureInfo.InvariantCulture), "--total", total.ToString(System.Globalization.CultureInfo.InvariantCulture)], input);
            Assert.True(result.ExitCode == 0, result.Error);
            shares.Add(result.Lines);
        }

        return shares;
    }

    public void Dispose() => _folder.Dispose();
}
