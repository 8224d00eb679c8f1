using System.Diagnostics;
using System.Globalization;
using System.Text;
using Porthole.Contracts.Api;
using Porthole.Testing;

namespace Porthole.Bench;

/// <summary>
/// A job of 200 trivial run steps against one bash script running the same 200 commands:
/// the time each step adds (target ≤ 10 ms, median). With <c>--docker</c>, the same 200 steps on the docker executor
/// too, in the same pipeline after the shell job (never at the same time): the time each <c>docker exec</c> step adds
/// (target ≤ 30 ms), from its first run step to its last, with "Spin up environment" reported apart.
/// </summary>
public static class StepOverhead
{
    private const int Steps = 200;

    public static async Task<int> RunAsync(string[] args)
    {
        var docker = args.Contains("--docker");
        var rest = args.Where(arg => arg != "--docker").ToArray();
        var runs = rest.Length > 0 ? int.Parse(rest[0], CultureInfo.InvariantCulture) : 5;
        var steps = new StringBuilder();
        var script = new StringBuilder();
        for (var i = 1; i <= Steps; i++)
        {
            steps.Append(CultureInfo.InvariantCulture, $"      - run: echo step {i}\n");
            script.Append(CultureInfo.InvariantCulture, $"echo step {i}\n");
        }

        await using var server = await BenchServer.StartAsync(docker ? DockerConfig(steps.ToString()) : $"version: 2\njobs:\n  build:\n    steps:\n{steps}");
        var scriptPath = Path.Combine(server.Root, "steps.sh");
        await File.WriteAllTextAsync(scriptPath, script.ToString());

        var jobTimes = new List<double>();
        var bashTimes = new List<double>();
        var dockerTimes = new List<double>();
        var spinUpTimes = new List<double>();
        for (var run = 0; run < runs + 1; run++)
        {
            var pipeline = await server.TriggerAsync();
            var jobs = pipeline.Workflows[0].Jobs;
            var job = await server.WaitForJobAsync(jobs.Single(j => j.Name == "build").Id, j => Status.IsFinished(j.Status));
            var jobSteps = job.Attempts[0].Nodes[0].Steps;
            var elapsed = (jobSteps[^1].FinishedAt!.Value - jobSteps[0].StartedAt).TotalMilliseconds;

            // The docker job requires the shell job, so it starts only once the shell job has ended.
            JobView? dockerJob = null;
            if (docker)
            {
                dockerJob = await server.WaitForJobAsync(jobs.Single(j => j.Name == "docker").Id, j => Status.IsFinished(j.Status));
                if (job.Status != Status.Success || dockerJob.Status != Status.Success)
                {
                    Console.WriteLine($"step-overhead: {await server.DescribeAsync(job)}");
                    Console.WriteLine($"step-overhead: {await server.DescribeAsync(dockerJob)}");
                    return 1;
                }
            }

            var watch = Stopwatch.StartNew();
            using (var bash = Process.Start(new ProcessStartInfo("/bin/bash") { ArgumentList = { "-eo", "pipefail", scriptPath }, RedirectStandardOutput = true })!)
            {
                await bash.StandardOutput.ReadToEndAsync();
                await bash.WaitForExitAsync();
            }

            // The first run warms up the server and the page cache; it is not counted.
            if (run > 0)
            {
                jobTimes.Add(elapsed);
                bashTimes.Add(watch.Elapsed.TotalMilliseconds);
                if (dockerJob is null)
                {
                    Console.WriteLine($"run {run}: job of {Steps} steps {Stats.F(elapsed, 0)} ms, one bash script {Stats.F(watch.Elapsed.TotalMilliseconds, 1)} ms, status {job.Status}");
                }
                else
                {
                    var (runSteps, spinUp) = DockerTimes(dockerJob);
                    dockerTimes.Add(runSteps);
                    spinUpTimes.Add(spinUp);
                    Console.WriteLine($"run {run}: job of {Steps} steps {Stats.F(elapsed, 0)} ms on shell, {Stats.F(runSteps, 0)} ms on docker (after {Stats.F(spinUp, 0)} ms of \"{AddedSteps.SpinUp}\"), one bash script {Stats.F(watch.Elapsed.TotalMilliseconds, 1)} ms, status {job.Status}/{dockerJob.Status}");
                }
            }
        }

        var jobMedian = Stats.Median(jobTimes);
        var bashMedian = Stats.Median(bashTimes);
        var perStep = (jobMedian - bashMedian) / Steps;
        Console.WriteLine($"step-overhead: median job {Stats.F(jobMedian, 0)} ms vs bash script {Stats.F(bashMedian, 1)} ms over {runs} runs");
        Console.WriteLine($"step-overhead: added per step {Stats.F(perStep)} ms (target <= 10 ms); ratio job/bash {Stats.F(jobMedian / bashMedian, 1)}x");
        if (docker)
        {
            var dockerMedian = Stats.Median(dockerTimes);
            var dockerPerStep = (dockerMedian - bashMedian) / Steps;
            Console.WriteLine($"step-overhead docker: median job {Stats.F(dockerMedian, 0)} ms (first run step start -> last run step end, image {DockerTestImages.Debian}) vs bash script {Stats.F(bashMedian, 1)} ms over {runs} runs; median \"{AddedSteps.SpinUp}\" {Stats.F(Stats.Median(spinUpTimes), 0)} ms, not counted");
            Console.WriteLine($"step-overhead docker: added per step {Stats.F(dockerPerStep)} ms (target <= 30 ms per step for docker exec); ratio job/bash {Stats.F(dockerMedian / bashMedian, 1)}x");
            Console.WriteLine($"step-overhead docker: {Stats.F(dockerPerStep - perStep)} ms per step more than the shell executor; ratio docker job/shell job {Stats.F(dockerMedian / jobMedian, 1)}x");
        }

        return 0;
    }

    /// <summary>The shell job as without <c>--docker</c>, and the same steps in a container, run after it.</summary>
    private static string DockerConfig(string steps) =>
        $"version: 2.1\njobs:\n  build:\n    steps:\n{steps}  docker:\n    docker:\n      - image: {DockerTestImages.Debian}\n    steps:\n{steps}" +
        "workflows:\n  bench:\n    jobs:\n      - build\n      - docker:\n          requires: [build]\n";

    /// <summary>The run steps' span, first start to last end, and "Spin up environment"'s own duration.</summary>
    private static (double RunSteps, double SpinUp) DockerTimes(JobView job)
    {
        var steps = job.Attempts[0].Nodes[0].Steps;
        if (steps.Count != Steps + 1 || steps[0].Name != AddedSteps.SpinUp)
        {
            throw new InvalidOperationException($"the docker job has {steps.Count} steps, the first '{steps[0].Name}': expected \"{AddedSteps.SpinUp}\" and {Steps} run steps");
        }

        var setup = steps[0];
        return ((steps[^1].FinishedAt!.Value - steps[1].StartedAt).TotalMilliseconds, (setup.FinishedAt!.Value - setup.StartedAt).TotalMilliseconds);
    }
}
