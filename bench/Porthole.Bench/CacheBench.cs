using System.Diagnostics;
using System.Globalization;
using System.Text;
using Porthole.Contracts.Api;

namespace Porthole.Bench;

/// <summary>
/// <c>save_cache</c> then <c>restore_cache</c> of a 200 MB tree of 20,000 small files (node_modules-like) on the shell
/// executor: seconds each way and MB/s, beside <c>tar | zstd</c> of the same tree to a local file (and <c>zstd -d | tar
/// -x</c> back) in the same run, as ratios (target ≤ 1.5×), and the server's peak resident memory growth (≤ 50 MB).
/// </summary>
public static class CacheBench
{
    private const int Files = 20_000;
    private const long TreeBytes = 200L * 1000 * 1000;

    public static async Task<int> RunAsync(string[] args)
    {
        var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3;

        // /var/tmp, not /tmp: a node's sandbox has a /tmp of its own, and sees the host's /var/tmp read-only.
        var root = Directory.CreateTempSubdirectory("porthole-bench-cache-").FullName;
        var source = Path.Combine("/var/tmp", Path.GetFileName(root));
        try
        {
            Directory.CreateDirectory(source);
            File.SetUnixFileMode(source, (UnixFileMode)0b111_101_101);
            var tree = Path.Combine(source, "node_modules");
            var bytes = WriteTree(tree);
            Console.WriteLine($"tree: {Files} files, {bytes / 1e6:F0} MB in {tree}");
            var config = $$"""
                version: 2.1
                jobs:
                  build:
                    steps:
                      - run: mkdir -p ~/project && cp -a {{tree}} ~/project/node_modules
                      - save_cache:
                          key: deps-{{"{{"}} .BuildNum {{"}}"}}
                          paths: [~/project/node_modules]
                      - run: rm -rf ~/project/node_modules
                      - restore_cache:
                          keys: [deps-]
                      - run: test -f ~/project/node_modules/pkg-00000/index.js
                workflows:
                  main:
                    jobs: [build]
                """;
            await using var server = await BenchServer.StartAsync(config);
            var saves = new List<double>();
            var restores = new List<double>();
            var tarSaves = new List<double>();
            var tarRestores = new List<double>();
            var peaks = new List<double>();
            for (var run = 0; run < runs; run++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                var baseline = ResidentMemory.ResidentBytes();
                using var sampling = new CancellationTokenSource();
                var peak = ResidentMemory.SamplePeakAsync(sampling.Token);
                var pipeline = await server.TriggerAsync();
                var job = await server.WaitForJobAsync(pipeline.Workflows[0].Jobs[0].Id, j => Status.IsFinished(j.Status));
                await sampling.CancelAsync();
                var peakBytes = await peak;
                if (job.Status != Status.Success)
                {
                    Console.Error.WriteLine(await server.DescribeAsync(job));
                    return 1;
                }

                var steps = job.Attempts[^1].Nodes[0].Steps;
                var save = Seconds(steps.Single(s => s.Name == "Saving Cache"));
                var restore = Seconds(steps.Single(s => s.Name == "Restoring Cache"));
                var (tarSave, tarRestore) = await BaselineAsync(tree, root);
                saves.Add(save);
                restores.Add(restore);
                tarSaves.Add(tarSave);
                tarRestores.Add(tarRestore);
                peaks.Add((peakBytes - baseline) / 1e6);
                Console.WriteLine($"run {run + 1}: save {save:F2} s ({bytes / save / 1e6:F0} MB/s), restore {restore:F2} s ({bytes / restore / 1e6:F0} MB/s); tar|zstd {tarSave:F2} s, zstd -d|tar -x {tarRestore:F2} s; peak RSS growth {(peakBytes - baseline) / 1e6:F0} MB");
            }

            var save50 = Stats.Median(saves);
            var restore50 = Stats.Median(restores);
            var tarSave50 = Stats.Median(tarSaves);
            var tarRestore50 = Stats.Median(tarRestores);
            Console.WriteLine($"cache: save median {Stats.F(save50)} s = {Stats.F(bytes / save50 / 1e6, 0)} MB/s vs tar | zstd {Stats.F(tarSave50)} s: ratio {Stats.F(save50 / tarSave50)} (target <= 1.5)");
            Console.WriteLine($"cache: restore median {Stats.F(restore50)} s = {Stats.F(bytes / restore50 / 1e6, 0)} MB/s vs zstd -d | tar -x {Stats.F(tarRestore50)} s: ratio {Stats.F(restore50 / tarRestore50)} (target <= 1.5)");
            Console.WriteLine($"cache: median peak resident memory growth of the server {Stats.F(Stats.Median(peaks), 0)} MB (target <= 50)");
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
            if (Directory.Exists(source))
            {
                Directory.Delete(source, recursive: true);
            }
        }
    }

    private static double Seconds(StepView step) => ((step.FinishedAt ?? step.StartedAt) - step.StartedAt).TotalSeconds;

    /// <summary>The same tree through the tools alone: <c>tar -c | zstd</c> to a file, then <c>zstd -d | tar -x</c> into a new folder.</summary>
    private static async Task<(double Save, double Restore)> BaselineAsync(string tree, string root)
    {
        var archive = Path.Combine(root, "baseline.tar.zst");
        var target = Path.Combine(root, "baseline-restore");
        Directory.CreateDirectory(target);
        try
        {
            var save = await TimeAsync($"tar -cf - -C '{Path.GetDirectoryName(tree)}' node_modules | zstd -q -3 -o '{archive}'");
            var restore = await TimeAsync($"zstd -q -d -c '{archive}' | tar -xf - -C '{target}'");
            return (save, restore);
        }
        finally
        {
            File.Delete(archive);
            Directory.Delete(target, recursive: true);
        }
    }

    private static async Task<double> TimeAsync(string script)
    {
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(new ProcessStartInfo("/bin/bash") { ArgumentList = { "-o", "pipefail", "-c", script } })!;
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"the baseline failed: {script}");
        }

        return watch.Elapsed.TotalSeconds;
    }

    /// <summary>20,000 files of about 10 KB in 1,000 packages, text that compresses as source code does (words, numbers).</summary>
    private static long WriteTree(string tree)
    {
        string[] words = ["function", "return", "const", "module", "exports", "require", "this", "value", "undefined", "null", "length", "index", "prototype", "callback", "options", "buffer", "string", "object", "array", "error"];
        var random = new Random(20261206);
        var perFile = (int)(TreeBytes / Files);
        long total = 0;
        var text = new StringBuilder(perFile + 200);
        for (var file = 0; file < Files; file++)
        {
            var package = Path.Combine(tree, $"pkg-{file / 20:D5}");
            Directory.CreateDirectory(package);
            text.Clear();
            while (text.Length < perFile)
            {
                text.Append(words[random.Next(words.Length)]).Append(random.Next(2) == 0 ? ' ' : '.')
                    .Append(random.Next(100_000).ToString(CultureInfo.InvariantCulture)).Append(random.Next(8) == 0 ? ";\n" : " ");
            }

            var name = file % 20 == 0 ? "index.js" : $"lib-{file % 20:D2}.js";
            var content = Encoding.UTF8.GetBytes(text.ToString(0, perFile));
            File.WriteAllBytes(Path.Combine(package, name), content);
            total += content.Length;
        }

        return total;
    }
}
