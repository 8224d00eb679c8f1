using System.Diagnostics;
using System.Globalization;
using System.Text;
using Porthole.Contracts.Api;

namespace Porthole.Bench;

/// <summary>
/// A step printing 200 MB: bytes per second stored by the server and the server's peak resident memory growth
/// (targets ≥ 100 MB/s, ≤ 150 MB), against <c>cat</c> of the same bytes to a file, as a ratio in the same run.
/// </summary>
public static class LogThroughput
{
    private const long Size = 200L * 1024 * 1024;

    public static async Task<int> RunAsync(string[] args)
    {
        var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3;
        var settings = new Dictionary<string, string?> { ["Porthole:LogCapBytes"] = (Size * 2).ToString(CultureInfo.InvariantCulture) };
        var root = Directory.CreateTempSubdirectory("porthole-bench-bytes-").FullName;
        try
        {
            var input = Path.Combine(root, "200mb.txt");
            await WriteInputAsync(input);
            await using var server = await BenchServer.StartAsync($"version: 2\njobs:\n  build:\n    steps:\n      - run: cat {input}\n", settings);

            var ours = new List<double>();
            var cats = new List<double>();
            var peaks = new List<double>();
            for (var run = 0; run < runs; run++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                var baseline = ResidentMemory.ResidentBytes();
                using var sampling = new CancellationTokenSource();
                var peak = ResidentMemory.SamplePeakAsync(sampling.Token);

                var pipeline = await server.TriggerAsync();
                var jobId = pipeline.Workflows[0].Jobs[0].Id;
                var job = await server.WaitForJobAsync(jobId, j => Status.IsFinished(j.Status));
                var step = job.Attempts[0].Nodes[0].Steps[0];
                var stored = job.Attempts[0].Nodes[0].LogLength;
                var finished = TimeProvider.System.GetUtcNow();
                await sampling.CancelAsync();
                var peakBytes = await peak;
                var seconds = (finished - step.StartedAt).TotalSeconds;
                var perSecond = stored / seconds / 1e6;

                var watch = Stopwatch.StartNew();
                var output = Path.Combine(root, "cat-out.txt");
                using (var cat = Process.Start(new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", $"cat '{input}' > '{output}'" } })!)
                {
                    await cat.WaitForExitAsync();
                }

                var catPerSecond = Size / watch.Elapsed.TotalSeconds / 1e6;
                File.Delete(output);
                ours.Add(perSecond);
                cats.Add(catPerSecond);
                peaks.Add((peakBytes - baseline) / 1e6);
                Console.WriteLine($"run {run + 1}: stored {stored / 1e6:F0} MB in {seconds:F2} s = {perSecond:F0} MB/s ({job.Status}); cat to a file {catPerSecond:F0} MB/s; peak RSS growth {(peakBytes - baseline) / 1e6:F0} MB");
            }

            var median = Stats.Median(ours);
            var catMedian = Stats.Median(cats);
            Console.WriteLine($"log-throughput: median {Stats.F(median, 0)} MB/s stored (target >= 100) vs cat to a file {Stats.F(catMedian, 0)} MB/s: ratio {Stats.F(median / catMedian)}");
            Console.WriteLine($"log-throughput: median peak resident memory growth {Stats.F(Stats.Median(peaks), 0)} MB (target <= 150)");
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task WriteInputAsync(string path)
    {
        await using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        var line = new StringBuilder();
        long written = 0;
        for (var i = 0; written < Size; i++)
        {
            line.Clear().Append(CultureInfo.InvariantCulture, $"{i:D9} \u001b[32mok\u001b[0m the quick brown fox jumps over the lazy dog {i % 97}\n");
            var bytes = Encoding.UTF8.GetBytes(line.ToString());
            var count = (int)Math.Min(bytes.Length, Size - written);
            await stream.WriteAsync(bytes.AsMemory(0, count));
            written += count;
        }
    }
}
