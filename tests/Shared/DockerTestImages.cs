using System.Diagnostics;

namespace Porthole.Testing;

/// <summary>
/// The small images the docker tests run. Nothing can be pulled where the tests run, so scripts/test-images builds them
/// on this machine (busybox-static, debootstrap) the first time; a docker test awaits <see cref="EnsureAsync"/> first.
/// The tags are the ones at the top of that script: change both together, bumping the number when an image changes.
/// </summary>
internal static class DockerTestImages
{
    /// <summary>busybox's applets in /bin (no bash, no git); root and circleci (uid and gid 3434, /home/circleci).</summary>
    public const string Busybox = "porthole-test/busybox:2";

    /// <summary>No shell at all: busybox as /bin/busybox-tool, no applet links; its command sleeps an hour.</summary>
    public const string NoShell = "porthole-test/noshell:1";

    /// <summary>Debian bookworm (minbase) with bash, git, rsync, ssh, sftp-server, procps; circleci (3434) uses bash.</summary>
    public const string Debian = "porthole-test/debian:1";

    /// <summary>A service that fails at once: "service starting" on stdout, "bad config" on stderr, exit code 3.</summary>
    public const string Exits = "porthole-test/exits:1";

    /// <summary>A service that logs "listening", then answers "PONG" to every connection on TCP port 6379.</summary>
    public const string Service = "porthole-test/service:1";

    /// <summary>
    /// A step's shell lines that wait (20 s at most) until <see cref="Service"/> answers on localhost: like CircleCI, a node
    /// does not wait for its services to listen (its users do, with dockerize -wait, say).
    /// </summary>
    public const string WaitForService = "for i in $(seq 200); do echo ping | nc -w 2 localhost 6379 | grep -q PONG && break; sleep 0.1; done; ";

    // The first build takes a minute or two (debootstrap); far past that, something hangs.
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(15);

    // Once per test process, away from the first caller's context; a failure is kept, so every docker test reports the
    // same reason without building again.
    private static readonly Lazy<Task> Built = new(() => Task.Run(BuildAsync));

    public static Task EnsureAsync() => Built.Value;

    private static async Task BuildAsync()
    {
        var script = Path.Combine(RepositoryRoot(), "scripts", "test-images");
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{script} did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(BuildTimeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException(
                $"{script} did not finish within {BuildTimeout.TotalMinutes} minutes; it printed: {await output}{await error}");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{script} could not make the docker test images (exit code {process.ExitCode}): {await output}{await error}");
        }
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Porthole.slnx")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No folder above {AppContext.BaseDirectory} holds Porthole.slnx, so scripts/test-images cannot be found.");
    }
}
