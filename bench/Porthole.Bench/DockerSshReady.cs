using System.Globalization;
using Porthole.Testing;

namespace Porthole.Bench;

/// <summary>
/// bench/ssh-ready on the docker executor: from the rerun request of a docker job (its image present) to the first
/// successful <c>ssh … true</c>, which lands in the job's container, median of 10. In the same run, turn about with it,
/// the same figure for a job on the shell executor (bench/ssh-ready's), and after them the bare-sshd floor. Targets:
/// ≤ 3 s, and ≤ 2× the shell executor's figure.
/// </summary>
/// <remarks>
/// The warm-up run, not counted, polls <c>test -e /.dockerenv &amp;&amp; cat /etc/hostname</c> instead of <c>true</c>: the
/// session is in the container the engine made for the job's node (its host name is the container's id: this host may
/// itself be a container, so <c>/.dockerenv</c> alone proves little). Every container the bench's nodes ran in is
/// followed from its creation (<see cref="ContainerWatch"/>): once the server has stopped, none of them or of their
/// networks may be left.
/// </remarks>
public static class DockerSshReady
{
    private const string DockerJob = "docker";

    private const string Config =
        $"version: 2.1\njobs:\n  {SshBench.ShellJob}:\n    steps:\n      - run: echo hi\n" +
        $"  {DockerJob}:\n    docker:\n      - image: {DockerTestImages.Debian}\n    steps:\n      - run: echo hi\n" +
        $"workflows:\n  bench:\n    jobs:\n      - {SshBench.ShellJob}\n      - {DockerJob}\n";

    private const string Verify = "test -e /.dockerenv && cat /etc/hostname";

    public static async Task<int> RunAsync(string[] args)
    {
        var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
        List<ReadyRun> docker = [], shell = [];
        List<double> floor;
        string root;
        IReadOnlyList<NodeContainer> containers;
        await using (var watch = ContainerWatch.Start())
        {
            await using (var bench = await SshBench.StartAsync(Config))
            {
                root = bench.Server.Root;
                var dockerJob = bench.JobIdOf(DockerJob);
                // The first run warms up the server, the engine and the page cache and checks where the docker session
                // landed; it is not counted. The executors take turns at going first, so neither always follows the other.
                for (var run = 0; run < runs + 1; run++)
                {
                    ReadyRun dockerRun, shellRun;
                    NodeContainer container;
                    if (run % 2 == 0)
                    {
                        (dockerRun, container) = await DockerOnceAsync(bench, watch, dockerJob, run);
                        shellRun = await ShellOnceAsync(bench);
                    }
                    else
                    {
                        shellRun = await ShellOnceAsync(bench);
                        (dockerRun, container) = await DockerOnceAsync(bench, watch, dockerJob, run);
                    }

                    var name = run == 0 ? $"warm-up, not counted (docker polls '{Verify}')" : $"run {run}";
                    Console.WriteLine(
                        $"{name}: docker {Stats.F(dockerRun.Milliseconds, 0)} ms (in container {container.ShortId}; \"{AddedSteps.SpinUp}\" {Stats.F(dockerRun.SpinUp, 0)} ms, " +
                        $"\"{AddedSteps.EnableSsh}\" done at {Stats.F(dockerRun.SshEnabled, 0)} ms), shell {Stats.F(shellRun.Milliseconds, 0)} ms (\"{AddedSteps.EnableSsh}\" done at {Stats.F(shellRun.SshEnabled, 0)} ms); " +
                        $"ratio {Stats.F(dockerRun.Milliseconds / shellRun.Milliseconds, 2)}x");
                    if (run > 0)
                    {
                        docker.Add(dockerRun);
                        shell.Add(shellRun);
                    }
                }

                floor = await BareSshd.MeasureTrueAsync(root, bench.Key, bench.PublicLine, runs);
            }

            containers = watch.From(root);
        }

        var dockerTimes = docker.Select(r => r.Milliseconds).ToList();
        var shellTimes = shell.Select(r => r.Milliseconds).ToList();
        var dockerMedian = Stats.Median(dockerTimes);
        var shellMedian = Stats.Median(shellTimes);
        var floorMedian = Stats.Median(floor);
        Console.WriteLine($"docker-ssh-ready: docker executor ({DockerTestImages.Debian}, present): rerun request -> first successful ssh true in the container, median of {runs}: {Stats.F(dockerMedian, 0)} ms (min {Stats.F(dockerTimes.Min(), 0)}, max {Stats.F(dockerTimes.Max(), 0)}); target <= 3000 ms");
        Console.WriteLine($"docker-ssh-ready: shell executor (bench/ssh-ready's figure), median of {runs}: {Stats.F(shellMedian, 0)} ms (min {Stats.F(shellTimes.Min(), 0)}, max {Stats.F(shellTimes.Max(), 0)})");
        Console.WriteLine($"docker-ssh-ready: ratio docker/shell {Stats.F(dockerMedian / shellMedian, 2)}x (target <= 2x); docker adds {Stats.F(dockerMedian - shellMedian, 0)} ms");
        Console.WriteLine($"docker-ssh-ready: bare ssh true to a running sshd (the floor), median of {runs}: {Stats.F(floorMedian, 0)} ms; docker {Stats.F(dockerMedian / floorMedian, 1)}x, shell {Stats.F(shellMedian / floorMedian, 1)}x the floor");
        Console.WriteLine(
            $"docker-ssh-ready: where the time goes, medians from the rerun request: docker \"{AddedSteps.SpinUp}\" {Stats.F(Stats.Median([.. docker.Select(r => r.SpinUp)]), 0)} ms, " +
            $"\"{AddedSteps.EnableSsh}\" done at {Stats.F(Stats.Median([.. docker.Select(r => r.SshEnabled)]), 0)} ms (shell {Stats.F(Stats.Median([.. shell.Select(r => r.SshEnabled)]), 0)} ms), " +
            $"then {Stats.F(Stats.Median([.. docker.Select(r => r.Milliseconds - r.SshEnabled)]), 0)} ms to the first ssh true in (shell {Stats.F(Stats.Median([.. shell.Select(r => r.Milliseconds - r.SshEnabled)]), 0)} ms)");
        var left = ContainerWatch.LeftBehind(containers);
        var clean = left.Count == 0 && !Directory.Exists(root);
        Console.WriteLine(clean
            ? $"docker-ssh-ready: left behind: nothing (none of the {containers.Count} containers of the bench's docker nodes, nor their networks; the server stopped, {root} removed)"
            : $"docker-ssh-ready: left behind: {(left.Count == 0 ? "no container or network" : string.Join(", ", left))}; {root} {(Directory.Exists(root) ? "still there" : "removed")}");
        return clean ? 0 : 1;
    }

    /// <summary>One docker run, and the container the engine made for its node (the initial job's was the first).</summary>
    private static async Task<(ReadyRun Run, NodeContainer Container)> DockerOnceAsync(SshBench bench, ContainerWatch watch, long jobId, int run)
    {
        var (milliseconds, _, output) = await bench.RerunUntilSshAsync(jobId, run == 0 ? Verify : "true");
        var container = (await watch.WaitForAsync(bench.Server.Root, run + 2))[run + 1];
        if (run == 0 && output.Trim() != container.ShortId)
        {
            throw new InvalidOperationException($"the docker job's ssh session ran in {output.Trim()}, not in its node's container {container.ShortId}");
        }

        return (await EndAsync(bench, jobId, milliseconds), container);
    }

    private static async Task<ReadyRun> ShellOnceAsync(SshBench bench)
    {
        var (milliseconds, _, _) = await bench.RerunUntilSshAsync(bench.JobId);
        return await EndAsync(bench, bench.JobId, milliseconds);
    }

    /// <summary>Ends the attempt and reads from its steps when the container was up and sshd listening.</summary>
    private static async Task<ReadyRun> EndAsync(SshBench bench, long jobId, double milliseconds)
    {
        await bench.EndAttemptAsync(jobId);
        var attempt = (await bench.Server.WaitForJobAsync(jobId, _ => true)).Attempts[^1];
        var steps = attempt.Nodes[0].Steps;
        var spinUp = steps.FirstOrDefault(s => s.Name == AddedSteps.SpinUp) is { FinishedAt: { } end } step ? (end - step.StartedAt).TotalMilliseconds : 0;
        var enabled = steps.First(s => s.Name == AddedSteps.EnableSsh).FinishedAt!.Value - attempt.CreatedAt;
        return new ReadyRun(milliseconds, spinUp, enabled.TotalMilliseconds);
    }

    /// <summary>One rerun's figure, with its "Spin up environment" (0 on the shell executor) and the time from the request to sshd listening.</summary>
    private sealed record ReadyRun(double Milliseconds, double SpinUp, double SshEnabled);
}
