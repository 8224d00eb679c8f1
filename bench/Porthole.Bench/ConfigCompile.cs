using System.Diagnostics;
using Porthole.Pipeline;
using Porthole.Pipeline.Tests.Support;

namespace Porthole.Bench;

/// <summary>
/// bench/config-compile: each CircleCI and Travis config of the corpus read (for CircleCI 2.1: compiled) N times in one
/// process, with the corpus's registry orbs in a store: median and p99 per config, and the largest. Target p99 ≤ 20 ms.
/// </summary>
public static class ConfigCompile
{
    private const double TargetMs = 20;

    public static Task<int> RunAsync(string[] args)
    {
        var runs = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 100;
        var corpus = Porthole.Testing.CorpusFolder.Root;
        using var orbs = CorpusOrbs.Write();
        var inputs = new ConfigInputs { Orbs = orbs.Source };
        var rows = new List<(string File, double Median, double P99, bool Valid)>();
        foreach (var dialect in new[] { "circleci", "travis" })
        {
            foreach (var file in Directory.GetFiles(Path.Combine(corpus, dialect), "*.yml").Order(StringComparer.Ordinal))
            {
                var text = File.ReadAllText(file);
                var path = dialect == "circleci" ? ".circleci/config.yml" : ".travis.yml";
                var valid = ConfigReader.Read(path, text, inputs: inputs).IsValid;

                // Warm-up: the first read pays for the JIT, as no server's second pipeline does.
                for (var i = 0; i < 5; i++)
                {
                    ConfigReader.Read(path, text, inputs: inputs);
                }

                var times = new List<double>(runs);
                for (var i = 0; i < runs; i++)
                {
                    var watch = Stopwatch.StartNew();
                    ConfigReader.Read(path, text, inputs: inputs);
                    times.Add(watch.Elapsed.TotalMilliseconds);
                }

                rows.Add(($"{dialect}/{Path.GetFileName(file)}", Stats.Median(times), Percentile(times, 0.99), valid));
            }
        }

        Console.WriteLine($"config-compile: each corpus config read {runs} times in one process (registry orbs from a local store)");
        Console.WriteLine($"{"config",-58} {"plans",5} {"median ms",10} {"p99 ms",8}");
        foreach (var row in rows)
        {
            Console.WriteLine($"{row.File,-58} {(row.Valid ? "yes" : "no"),5} {Stats.F(row.Median, 3),10} {Stats.F(row.P99, 3),8}");
        }

        var largest = rows.MaxBy(row => row.P99);
        Console.WriteLine($"largest p99: {largest.File} {Stats.F(largest.P99, 3)} ms (target ≤ {TargetMs} ms: {(largest.P99 <= TargetMs ? "met" : "NOT met")}); median of medians {Stats.F(Stats.Median([.. rows.Select(r => r.Median)]), 3)} ms");
        return Task.FromResult(0);
    }

    private static double Percentile(List<double> values, double fraction)
    {
        var sorted = values.Order().ToArray();
        var index = (int)Math.Ceiling(fraction * sorted.Length) - 1;
        return sorted[Math.Clamp(index, 0, sorted.Length - 1)];
    }
}
