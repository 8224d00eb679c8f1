using System.Diagnostics;
using System.Globalization;
using Porthole.Contracts.Api;

namespace Porthole.Bench;

/// <summary>
/// <c>store_artifacts</c> of one 500 MB file on the shell executor (the step's time) and its download through the API:
/// MB/s each way beside <c>cp</c> of a file of the same size in the same run (target ≥ 200 MB/s).
/// </summary>
public static class ArtifactsBench
{
    private const long Size = 500L * 1000 * 1000;

    public static async Task<int> RunAsync(string[] args)
    {
        var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3;
        var config = $"""
            version: 2.1
            jobs:
              build:
                steps:
                  - run: head -c {Size} /dev/urandom > ~/big.bin
                  - store_artifacts:
                      path: ~/big.bin
                      destination: big.bin
            workflows:
              main:
                jobs: [build]
            """;
        await using var server = await BenchServer.StartAsync(config);
        var uploads = new List<double>();
        var downloads = new List<double>();
        var copies = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            var pipeline = await server.TriggerAsync();
            var job = await server.WaitForJobAsync(pipeline.Workflows[0].Jobs[0].Id, j => Status.IsFinished(j.Status));
            if (job.Status != Status.Success)
            {
                Console.Error.WriteLine(await server.DescribeAsync(job));
                return 1;
            }

            var step = job.Attempts[^1].Nodes[0].Steps.Single(s => s.Name == "Uploading artifacts");
            var upload = Size / ((step.FinishedAt ?? step.StartedAt) - step.StartedAt).TotalSeconds / 1e6;

            var list = (await System.Net.Http.Json.HttpClientJsonExtensions.GetFromJsonAsync<ArtifactList>(server.Client, $"/api/jobs/{job.Id}/artifacts", ApiJson.Options))!;
            var watch = Stopwatch.StartNew();
            long received = 0;
            using (var response = await server.Client.GetAsync(list.Items.Single().Url, HttpCompletionOption.ResponseHeadersRead))
            {
                response.EnsureSuccessStatusCode();
                await using var body = await response.Content.ReadAsStreamAsync();
                var buffer = new byte[1 << 20];
                int read;
                while ((read = await body.ReadAsync(buffer)) > 0)
                {
                    received += read;
                }
            }

            var download = received / watch.Elapsed.TotalSeconds / 1e6;
            if (received != Size)
            {
                Console.Error.WriteLine($"the download gave {received} bytes of {Size}");
                return 1;
            }

            var copy = await CopyBaselineAsync(server.Root);
            uploads.Add(upload);
            downloads.Add(download);
            copies.Add(copy);
            Console.WriteLine($"run {run + 1}: upload {upload:F0} MB/s, download {download:F0} MB/s; cp {copy:F0} MB/s");
        }

        var copy50 = Stats.Median(copies);
        Console.WriteLine($"artifacts: upload median {Stats.F(Stats.Median(uploads), 0)} MB/s (target >= 200) vs cp {Stats.F(copy50, 0)} MB/s: ratio {Stats.F(Stats.Median(uploads) / copy50)}");
        Console.WriteLine($"artifacts: download median {Stats.F(Stats.Median(downloads), 0)} MB/s (target >= 200) vs cp {Stats.F(copy50, 0)} MB/s: ratio {Stats.F(Stats.Median(downloads) / copy50)}");
        return 0;
    }

    /// <summary><c>cp</c> of a fresh 500 MB file on the same disk, in MB/s.</summary>
    private static async Task<double> CopyBaselineAsync(string root)
    {
        var source = Path.Combine(root, "cp-source.bin");
        var target = Path.Combine(root, "cp-target.bin");
        try
        {
            await RunAsync($"head -c {Size} /dev/urandom > '{source}'");
            var watch = Stopwatch.StartNew();
            await RunAsync($"cp '{source}' '{target}'");
            return Size / watch.Elapsed.TotalSeconds / 1e6;
        }
        finally
        {
            File.Delete(source);
            File.Delete(target);
        }
    }

    private static async Task RunAsync(string script)
    {
        using var process = Process.Start(new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", script } })!;
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"failed: {script}");
        }
    }
}
