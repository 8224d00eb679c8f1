using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;

namespace Porthole.Bench;

/// <summary>
/// bench/live-log-latency (issue 5): from a line printed in a step to the line in the job page's DOM, in headless
/// Chromium. The step prints a line with its CLOCK_REALTIME (<c>date +%s%N</c>) every ~200 ms; a MutationObserver in the
/// page records performance.timeOrigin + performance.now() when the line's node is added. Both clocks are the
/// machine's wall clock, so the difference is the line's way: the runner's spool and flush, the server's log store and
/// SSE stream, the page's routing and drawing.
/// </summary>
public static class LiveLogLatency
{
    private const string ObserverScript = """
        (() => {
          window.benchLines = {};
          const pattern = /bench-line (\d+) (\d{16,20})/;
          function look(node) {
            const text = node.textContent || "";
            const match = pattern.exec(text);
            if (match !== null && !(match[1] in window.benchLines)) {
              window.benchLines[match[1]] = { printedNs: match[2], shownMs: performance.timeOrigin + performance.now() };
            }
          }
          new MutationObserver(function (records) {
            for (const record of records) {
              if (record.type === "characterData") {
                look(record.target);
              }
              for (const node of record.addedNodes) {
                look(node);
              }
            }
          }).observe(document, { childList: true, subtree: true, characterData: true });
        })();
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 50;
        var ready = Path.Combine(Path.GetTempPath(), $"porthole-bench-ready-{Guid.NewGuid():N}");

        // The first step waits for the page to be open, so that every measured line is one the page sees arrive.
        var config = $"""
            version: 2.1
            jobs:
              talk:
                steps:
                  - run:
                      name: Wait for the page
                      command: while [ ! -e {ready} ]; do sleep 0.05; done
                  - run:
                      name: Timestamps
                      command: for i in $(seq 1 {count}); do echo "bench-line $i $(date +%s%N)"; sleep 0.2; done
            workflows:
              main:
                jobs: [talk]
            """;

        await using var server = await BenchServer.StartAsync(config);
        try
        {
            var pipeline = await server.TriggerAsync();
            var jobId = pipeline.Workflows[0].Jobs[0].Id;
            await server.WaitForJobAsync(jobId, j => j.Attempts[^1].Nodes[0].Steps.Any(s => s.Status == "running"));

            using var playwright = await Playwright.CreateAsync();
            await using var browser = await Porthole.Web.Tests.Support.Chromium.LaunchAsync(playwright);
            var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = server.Client.BaseAddress!.ToString() });
            var page = await context.NewPageAsync();
            await page.GotoAsync("/sign-in");
            await page.GetByLabel("Personal token").FillAsync((await File.ReadAllTextAsync(Path.Combine(server.Root, "data", "admin-token"))).Trim());
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await page.WaitForURLAsync("**/projects");

            await page.AddInitScriptAsync(ObserverScript);
            await page.GotoAsync($"/jobs/{jobId}");
            await page.Locator("details.step[open] .log").First.WaitForAsync(new() { State = WaitForSelectorState.Attached });
            await File.WriteAllTextAsync(ready, "");

            var waited = System.Diagnostics.Stopwatch.StartNew();
            var limit = TimeSpan.FromSeconds(30 + (count * 0.2));
            JsonElement lines;
            while (true)
            {
                lines = JsonDocument.Parse(await page.EvaluateAsync<string>("() => JSON.stringify(window.benchLines)")).RootElement;
                if (lines.EnumerateObject().Count() >= count || waited.Elapsed > limit)
                {
                    break;
                }

                await Task.Delay(200);
            }

            var latencies = lines.EnumerateObject()
                .Select(line => line.Value.GetProperty("shownMs").GetDouble()
                    - (long.Parse(line.Value.GetProperty("printedNs").GetString()!, CultureInfo.InvariantCulture) / 1e6))
                .Order()
                .ToList();
            if (latencies.Count < count)
            {
                Console.Error.WriteLine($"live-log-latency: the page showed {latencies.Count} of {count} lines in time");
                return 1;
            }

            var p90 = latencies[(int)Math.Ceiling(0.9 * latencies.Count) - 1];
            Console.WriteLine($"live-log-latency: {count} lines printed by a step every ~200 ms, printed (date +%s%N) → in the job page's DOM (MutationObserver), headless Chromium");
            Console.WriteLine($"  median {Stats.F(Stats.Median(latencies), 1)} ms   p90 {Stats.F(p90, 1)} ms   max {Stats.F(latencies[^1], 1)} ms   min {Stats.F(latencies[0], 1)} ms   (target: median ≤ 500 ms)");
            return 0;
        }
        finally
        {
            File.Delete(ready);
        }
    }
}
