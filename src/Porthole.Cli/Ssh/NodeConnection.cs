using System.Globalization;
using Porthole.Cli.Client;
using Porthole.Contracts.Api;
using Porthole.Ssh.Keys;
using Status = Porthole.Contracts.Api.Status;

namespace Porthole.Cli.Ssh;

/// <summary>
/// Entering a node of an SSH or debug attempt, as <c>porthole ssh</c> and <c>porthole debug</c> both do: wait for its
/// sshd (<c>GET /api/jobs/{id}/ssh</c>), pin its host key in Porthole's known_hosts, pick the local key it accepts, and
/// hand the terminal to the real ssh.
/// </summary>
internal static class NodeConnection
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// <c>api/jobs/{id}/ssh</c>: the given attempt, or the latest attempt with SSH (an SSH rerun, a debug run, or the job's
    /// own attempt with a node held after a failed step).
    /// </summary>
    public static string ViewPath(long jobId, int? attempt) =>
        PortholeClient.Path("jobs", jobId, "ssh") + (attempt is { } a ? string.Create(CultureInfo.InvariantCulture, $"?attempt={a}") : "");

    /// <summary>The node's view; null when the attempt has no nodes yet; an error when it has nodes but not this one.</summary>
    public static SshNodeView? FindNode(JobSshView view, long jobId, int nodeIndex)
    {
        ArgumentNullException.ThrowIfNull(view);
        var nodes = view.Nodes ?? [];
        var node = nodes.FirstOrDefault(n => n.Index == nodeIndex);
        if (node is null && nodes.Count > 0)
        {
            throw new CliException($"job {jobId} attempt {view.Attempt} has no node {nodeIndex}: its nodes are {string.Join(", ", nodes.Select(n => n.Index))} (pick one with --node)");
        }

        return node;
    }

    /// <summary>The <c>--identity</c> file, expanded (<c>~</c>) and checked to exist; null when none was given.</summary>
    public static string? IdentityFile(CliContext context, string? given)
    {
        if (given is not { Length: > 0 })
        {
            return null;
        }

        var path = LocalKeys.Expand(given, LocalKeys.Home(context));
        return File.Exists(path) ? path : throw new CliException($"--identity {path}: no such file");
    }

    /// <summary>
    /// Asks for the node's SSH view every 500 ms until its sshd is up, for at most <paramref name="waitSeconds"/>.
    /// <paramref name="whenFinished"/> says what to do when the node has ended (e.g. <c>rerun it with porthole rerun 42 --ssh</c>).
    /// </summary>
    public static async Task<SshNodeView> WaitForEndpointAsync(
        CliContext context, PortholeClient client, long jobId, int nodeIndex, int? attempt, int waitSeconds, string whenFinished, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(client);
        var time = context.TimeProvider;
        var limit = TimeSpan.FromSeconds(waitSeconds);
        var started = time.GetTimestamp();
        var maxPolls = (int)Math.Ceiling(limit / PollInterval);
        for (var polls = 0; ; polls++)
        {
            SshNodeView? node;
            try
            {
                var view = client.Read<JobSshView>(await client.GetAsync(ViewPath(jobId, attempt), cancellationToken));
                node = FindNode(view, jobId, nodeIndex);
            }
            catch (ApiException e) when (PortholeClient.IsRetryable(e.StatusCode) && polls < maxPolls)
            {
                // A proxy's 502/503 while the server restarts: the wait goes on.
                node = null;
            }

            if (node is not null && SshEndpoint.IsUp(node))
            {
                return node;
            }

            var status = node?.Status ?? "not started";
            if (node is not null && Status.IsFinished(node.Status))
            {
                throw new CliException($"job {jobId} node {nodeIndex} is {status} and has no SSH endpoint any more: {whenFinished}");
            }

            if (polls >= maxPolls || time.GetElapsedTime(started) >= limit)
            {
                throw new CliException(
                    $"job {jobId} node {nodeIndex} has no SSH endpoint after {waitSeconds} s ({status}): try again later, or wait longer with --wait SECONDS");
            }

            if (polls == 0)
            {
                await context.Error.WriteLineAsync($"waiting up to {waitSeconds} s for the SSH endpoint of job {jobId} node {nodeIndex} ({status})");
            }

            await Task.Delay(PollInterval, time, cancellationToken);
        }
    }

    /// <summary>
    /// Runs the real ssh into a node that is up: its host key pinned in Porthole's known_hosts, the given key or else
    /// the first local key it accepts, and <paramref name="command"/> after <c>--</c> if any. Returns ssh's exit code.
    /// </summary>
    /// <param name="forceTerminal">Always ask for a terminal (<c>-tt</c>), as a debug session's tmux needs.</param>
    public static async Task<int> RunSshAsync(
        CliContext context,
        IProcessLauncher launcher,
        long jobId,
        SshNodeView node,
        string? identityFile,
        IReadOnlyList<string> command,
        bool forceTerminal,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(launcher);
        var endpoint = SshEndpoint.From(jobId, node);
        var knownHosts = KnownHostsFile.Locate(context);
        KnownHostsFile.Pin(knownHosts, endpoint.Host, endpoint.Port, endpoint.HostKey);
        identityFile ??= await ChooseIdentityAsync(context, jobId, node.Index, endpoint, knownHosts, cancellationToken);

        var arguments = SshCommandLine.For(endpoint, knownHosts, identityFile, launcher.InputIsTerminal, command, forceTerminal);
        await context.Output.FlushAsync(cancellationToken);
        await context.Error.FlushAsync(cancellationToken);
        return await launcher.RunAsync("ssh", arguments, cancellationToken);
    }

    /// <summary>
    /// Prints the node as a <c>Host</c> block of <c>~/.ssh/config</c> (<see cref="SshConfigHost"/>): its host key pinned
    /// under the block's alias in Porthole's known_hosts, the given key or else the first local key it accepts. VS Code's
    /// link to the job's working directory goes to standard error, so that standard output is the block alone.
    /// </summary>
    public static async Task<int> WriteConfigAsync(CliContext context, long jobId, SshNodeView node, string? identityFile, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(node);
        var endpoint = SshEndpoint.From(jobId, node);
        var knownHosts = KnownHostsFile.Locate(context);
        var alias = SshConfigHost.Alias(jobId, node.Index);
        KnownHostsFile.Pin(knownHosts, alias, endpoint.HostKey);
        identityFile ??= await ChooseIdentityAsync(context, jobId, node.Index, endpoint, knownHosts, cancellationToken);
        await context.Output.WriteAsync(SshConfigHost.Render(alias, endpoint.Host, endpoint.Port, endpoint.User, knownHosts, identityFile));
        if (node.WorkingDirectory is { Length: > 0 } folder)
        {
            await context.Error.WriteLineAsync($"Add it to ~/.ssh/config; then ssh {alias}, or in VS Code: {SshConfigHost.VsCodeLink(alias, folder)}");
        }

        return ExitCodes.Success;
    }

    private static async Task<string> ChooseIdentityAsync(
        CliContext context, long jobId, int nodeIndex, SshEndpoint endpoint, string knownHosts, CancellationToken cancellationToken)
    {
        var doctor = nodeIndex == 0 ? $"{context.CommandName} ssh doctor {jobId}" : $"{context.CommandName} ssh doctor {jobId} --node {nodeIndex}";
        if (endpoint.AcceptedFingerprints.Count == 0)
        {
            throw new CliException($"job {jobId} node {nodeIndex} accepts no key: run {doctor}");
        }

        var scan = await LocalKeys.ScanAsync(context, cancellationToken);
        var key = Identity.Pick(scan, endpoint.AcceptedFingerprints)
            ?? throw new CliException(
                $"none of your local keys (~/.ssh/*.pub{(context.Environment("SSH_AUTH_SOCK") is { Length: > 0 } ? ", the SSH agent" : "")}) is accepted by " +
                $"job {jobId} node {nodeIndex}, which accepts {string.Join(", ", endpoint.AcceptedFingerprints)}: run {doctor}");
        return await Identity.PathForAsync(context, key, knownHosts, cancellationToken);
    }
}
