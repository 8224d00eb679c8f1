using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.Playwright;
using Porthole.Contracts.Api;
using Porthole.Web.Tests.Support;

namespace Porthole.Web.Tests;

/// <summary>
/// The job page's Tests section on JUnit reports written by real test tools, not by hand: the job's repository holds
/// the real output of <c>python3 -m pytest --junitxml -o junit_family=xunit1</c> and of <c>gotestsum --junitfile</c>
/// (neither tool is on a CI machine, so the reports are the checked-in ones of
/// tests/Porthole.Execution.Tests/JobData/Samples, whose README says how they were made). The job's <c>run</c> step
/// copies them to <c>reports/</c> and fails as pytest does when a test fails; <c>store_test_results</c> still runs
/// (dialects.md §A5: it always runs) and the page shows what the reports hold, counted here from the XML itself.
/// </summary>
public sealed class RealJUnitPageTests(WebFixture web) : WebTest(web)
{
    private const string Pytest = "pytest-xunit1.xml";
    private const string Gotestsum = "go-gotestsum.xml";

    private const string Config = """
        version: 2
        jobs:
          build:
            steps:
              - checkout
              - run:
                  name: Run the tests
                  command: |
                    mkdir -p reports/go
                    cp samples/pytest-xunit1.xml reports/junit.xml
                    cp samples/go-gotestsum.xml reports/go/go-gotestsum.xml
                    sha256sum reports/junit.xml reports/go/go-gotestsum.xml
                    exit 1
              - store_test_results:
                  path: reports
        workflows:
          main:
            jobs: [build]
        """;

    [Fact]
    public async Task A_real_pytest_and_gotestsum_report_show_their_counts_and_their_failures_first_with_message_file_and_a_working_link()
    {
        var reports = new[] { Pytest, Gotestsum }.Select(ReportCase.Read).ToArray();
        var cases = reports.SelectMany(r => r).ToList();
        var expected = Count(cases);
        Assert.Contains(cases, c => c is { Name: "test_discount_is_applied", File: "tests/test_shop.py", FirstLine: "AssertionError: 10% off 100 should be 80" });

        using var project = await PipelineProject.CreateAsync(Web, "real-junit", Config);
        var samples = Directory.CreateDirectory(Path.Combine(project.Repository.Path, "samples")).FullName;
        foreach (var name in new[] { Pytest, Gotestsum })
        {
            File.Copy(SamplePath(name), Path.Combine(samples, name));
        }

        project.Repository.Commit("the reports of real pytest and gotestsum runs");
        var job = await project.FinishedJobAsync();
        var log = await project.Admin.GetStringAsync($"/api/jobs/{job.Id}/log");

        // The job stored the very bytes of the real reports.
        Assert.Contains($"{Sha256(Pytest)}  reports/junit.xml", log, StringComparison.Ordinal);
        Assert.Contains($"{Sha256(Gotestsum)}  reports/go/go-gotestsum.xml", log, StringComparison.Ordinal);

        // The API: the counts the reports hold, and failed and errored before the others.
        var tests = (await project.Admin.GetFromJsonAsync<TestResultList>($"/api/jobs/{job.Id}/tests", ApiJson.Options))!;
        Assert.True(expected == tests.Counts, $"counts {tests.Counts}, the reports hold {expected}; the job's log:\n{log}");
        Assert.Equal(cases.Count, tests.Items.Count);
        var broken = tests.Items.TakeWhile(t => t.Result is "failure" or "error").ToList();
        Assert.Equal(expected.Failed + expected.Errored, broken.Count);

        var page = await Web.SignedInPageAsync();
        await page.GotoAsync($"/jobs/{job.Id}");
        var section = page.Locator("#tests");

        // The counts, in the section and in the page's heading.
        await Assertions.Expect(section.Locator("[data-field='test-counts'] li")).ToHaveTextAsync(
        [
            $"{expected.Passed} passed", $"{expected.Failed} failed", $"{expected.Errored} errored", $"{expected.Skipped} skipped", $"{expected.Total} tests",
        ]);
        await Assertions.Expect(page.Locator("[data-field='tests-link']")).ToHaveTextAsync($"{expected.Total} tests, {expected.Failed} failed, {expected.Errored} errored");

        // Every failed and errored test of the reports, listed before the passed and skipped ones.
        var listed = section.Locator("ol.test-failures > li.test-case");
        await Assertions.Expect(listed).ToHaveCountAsync(expected.Failed + expected.Errored);
        Assert.Equal(
            cases.Where(c => c.IsBroken).Select(c => c.Name).Order(StringComparer.Ordinal),
            (await listed.Locator(".test-name").AllTextContentsAsync()).Order(StringComparer.Ordinal));
        Assert.True(
            await page.EvaluateAsync<bool>("() => !!(document.querySelector('#tests ol.test-failures').compareDocumentPosition(document.querySelector('#tests details.tests-others')) & Node.DOCUMENT_POSITION_FOLLOWING)"),
            "the failures are not listed before the other tests");

        // Each with its result, its message's first line (text, never markup), its class and its file when the report names one.
        foreach (var expectedCase in cases.Where(c => c.IsBroken))
        {
            var view = tests.Items.Single(t => t.Name == expectedCase.Name && t.Classname == expectedCase.Classname);
            var item = section.Locator($"#test-{view.Id}");
            await Assertions.Expect(item).ToHaveAttributeAsync("data-result", expectedCase.Result);
            await Assertions.Expect(item.Locator(".test-name")).ToHaveTextAsync(expectedCase.Name);
            await Assertions.Expect(item.Locator("[data-field='classname']")).ToHaveTextAsync(expectedCase.Classname);
            var message = item.Locator("[data-field='message']");
            await Assertions.Expect(message).ToContainTextAsync(expectedCase.FirstLine);
            Assert.Equal(expectedCase.FirstLine, (await message.TextContentAsync())!.Split('\n')[0]);
            await Assertions.Expect(message.Locator("*")).ToHaveCountAsync(0);
            if (expectedCase.File is null)
            {
                await Assertions.Expect(item.Locator("[data-field='file']")).ToHaveCountAsync(0);
            }
            else
            {
                await Assertions.Expect(item.Locator("[data-field='file']")).ToHaveTextAsync(expectedCase.File);
            }
        }

        // The passed and skipped ones after them, collapsed until asked for.
        var others = section.Locator("details.tests-others");
        await Assertions.Expect(others.Locator("tbody tr").First).Not.ToBeVisibleAsync();
        await others.Locator("summary").ClickAsync();
        await Assertions.Expect(others.Locator("tbody tr")).ToHaveCountAsync(expected.Passed + expected.Skipped);
        Assert.Equal(
            cases.Where(c => !c.IsBroken).Select(c => c.Name).Order(StringComparer.Ordinal),
            (await others.Locator("tbody th").AllTextContentsAsync()).Order(StringComparer.Ordinal));

        // pytest's failing discount test: its own link names it in the address and makes it the page's :target.
        var discount = tests.Items.Single(t => t.Name == "test_discount_is_applied");
        var anchor = $"test-{discount.Id}";
        var first = section.Locator($"#{anchor}");
        await Assertions.Expect(first.Locator("[data-field='file']")).ToHaveTextAsync("tests/test_shop.py");
        await first.Locator("a.self-link").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/jobs/{job.Id}#{anchor}$"));
        Assert.True(await first.EvaluateAsync<bool>("e => e.matches(':target')"), $"#{anchor} is not the :target after its link was followed");

        // The same link opened afresh lands on it.
        var linked = await Web.SignedInPageAsync();
        await linked.GotoAsync($"/jobs/{job.Id}#{anchor}");
        var target = linked.Locator($"#{anchor}");
        await Assertions.Expect(target).ToBeInViewportAsync();
        Assert.True(await target.EvaluateAsync<bool>("e => e.matches(':target')"), $"#{anchor} is not the :target of a page opened at it");

        await Screenshots.SaveAsync(page, "job-real-pytest");
    }

    /// <summary>The counts a set of cases makes, as the API gives them.</summary>
    private static TestCounts Count(IReadOnlyCollection<ReportCase> cases) => new(
        cases.Count,
        cases.Count(c => c.Result == "success"),
        cases.Count(c => c.Result == "failure"),
        cases.Count(c => c.Result == "error"),
        cases.Count(c => c.Result == "skipped"));

    private static string SamplePath(string name) => Path.Combine(AppContext.BaseDirectory, "Samples", name);

    private static string Sha256(string name) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(SamplePath(name))));

    /// <summary>One <c>testcase</c> of a sample report as the XML says it: its result in the API's words and its message's first line.</summary>
    private sealed record ReportCase(string Name, string Classname, string? File, string Result, string FirstLine)
    {
        public bool IsBroken => Result is "failure" or "error";

        public static IReadOnlyList<ReportCase> Read(string sample)
        {
            var report = XDocument.Load(SamplePath(sample));
            var cases = report.Descendants("testcase").Select(Of).ToList();

            // The report's own totals agree with its cases, so that the counts below are the report's.
            var suites = report.Descendants("testsuite").ToList();
            Assert.Equal(suites.Sum(s => (int)s.Attribute("tests")!), cases.Count);
            Assert.Equal(suites.Sum(s => (int?)s.Attribute("failures") ?? 0), cases.Count(c => c.Result == "failure"));
            Assert.Equal(suites.Sum(s => (int?)s.Attribute("errors") ?? 0), cases.Count(c => c.Result == "error"));
            return cases;
        }

        private static ReportCase Of(XElement testcase)
        {
            var outcome = testcase.Elements().FirstOrDefault(e => e.Name.LocalName is "failure" or "error" or "skipped");
            var result = outcome?.Name.LocalName switch
            {
                null => "success",
                var name => name,
            };
            var message = (string?)outcome?.Attribute("message") is { Length: > 0 } attribute ? attribute : outcome?.Value ?? "";
            return new ReportCase(
                (string)testcase.Attribute("name")!,
                (string)testcase.Attribute("classname")!,
                (string?)testcase.Attribute("file"),
                result,
                message.Split('\n')[0]);
        }
    }
}
