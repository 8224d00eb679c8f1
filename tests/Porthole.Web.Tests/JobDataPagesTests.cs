using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Porthole.Contracts.Api;
using Porthole.Web.Tests.Support;

namespace Porthole.Web.Tests;

/// <summary>
/// The job page's Tests and Artifacts sections against a real pipeline on the shell executor: a <c>run</c> step writes a
/// JUnit report (a passing, a failing, an erroring and a skipped case) and two artifacts, then fails as a test run does;
/// <c>store_test_results</c> and <c>store_artifacts</c> still run (§A5: they run after a failed step), and the page shows them.
/// </summary>
public sealed partial class JobDataPagesTests(WebFixture web) : WebTest(web)
{
    private const string Hello = "hello from the job\n";
    private const string Page = "<html><body>a nested artifact</body></html>\n";

    // The passing case first: the page must put the failures first whatever order the report has.
    private const string Config = """
        version: 2
        jobs:
          build:
            steps:
              - run:
                  name: Run the tests
                  command: |
                    mkdir -p reports art/deep
                    printf 'hello from the job\n' > art/hello.txt
                    printf '<html><body>a nested artifact</body></html>\n' > art/deep/page.html
                    cat > reports/junit.xml <<'XML'
                    <?xml version="1.0" encoding="utf-8"?>
                    <testsuites>
                      <testsuite name="pytest" errors="1" failures="1" skipped="1" tests="4" time="0.35">
                        <testcase classname="tests.test_math" name="test_add" file="tests/test_math.py" time="0.001"/>
                        <testcase classname="tests.test_math" name="test_divide" file="tests/test_math.py" time="0.002">
                          <failure message="ZeroDivisionError: division by &lt;b&gt;zero&lt;/b&gt;">def test_divide():&#10;&gt;       assert 1 / 0 == 0&#10;E       ZeroDivisionError</failure>
                        </testcase>
                        <testcase classname="tests.test_network" name="test_connect" file="tests/test_network.py" time="0.3">
                          <error message="ConnectionRefusedError: [Errno 111] Connection refused">Traceback (most recent call last)</error>
                        </testcase>
                        <testcase classname="tests.test_math" name="test_slow" file="tests/test_math.py" time="0">
                          <skipped message="slow"/>
                        </testcase>
                      </testsuite>
                    </testsuites>
                    XML
                    echo "2 of 4 tests did not pass"
                    exit 1
              - store_test_results:
                  path: reports
              - store_artifacts:
                  path: art
                  destination: art
        workflows:
          main:
            jobs: [build]
        """;

    private const string NoDataConfig = """
        version: 2
        jobs:
          build:
            steps:
              - run: echo "nothing stored"
        workflows:
          main:
            jobs: [build]
        """;

    [Fact]
    public async Task The_job_page_shows_the_counts_and_the_failures_first_escaped_and_linkable_and_the_cli_the_same()
    {
        using var project = await PipelineProject.CreateAsync(Web, "jobdata-tests", Config);
        var job = await project.FinishedJobAsync();
        var tests = (await project.Admin.GetFromJsonAsync<TestResultList>($"/api/jobs/{job.Id}/tests", ApiJson.Options))!;
        Assert.True(new TestCounts(4, 1, 1, 1, 1) == tests.Counts, $"counts {tests.Counts}; the job's log:\n{await LogAsync(project, job)}");
        var html = await PageAsync(job.Id);

        // The counts, and a link to them in the page's heading.
        Assert.Contains(@"<span class=""status status-success"">1 passed</span>", html, StringComparison.Ordinal);
        Assert.Contains(@"<span class=""status status-failed"">1 failed</span>", html, StringComparison.Ordinal);
        Assert.Contains(@"<span class=""status status-errored"">1 errored</span>", html, StringComparison.Ordinal);
        Assert.Contains(@"<span class=""status"">1 skipped</span>", html, StringComparison.Ordinal);
        Assert.Contains(@"<a href=""#tests"" data-field=""tests-link"">4 tests, 1 failed, 1 errored</a>", html, StringComparison.Ordinal);

        // Failed and errored first, each with an anchor and a link to itself; the message is text, never markup.
        var failed = tests.Items.Single(t => t.Name == "test_divide");
        var errored = tests.Items.Single(t => t.Name == "test_connect");
        var failures = html[html.IndexOf("<ol class=\"test-failures\"", StringComparison.Ordinal)..];
        failures = failures[..failures.IndexOf("</ol>", StringComparison.Ordinal)];
        Assert.Contains($@"<li class=""test-case"" id=""test-{failed.Id}"" data-result=""failure"">", failures, StringComparison.Ordinal);
        Assert.Contains($@"<li class=""test-case"" id=""test-{errored.Id}"" data-result=""error"">", failures, StringComparison.Ordinal);
        Assert.Contains($@"href=""#test-{failed.Id}""", failures, StringComparison.Ordinal);
        Assert.Contains("ZeroDivisionError: division by &lt;b&gt;zero&lt;/b&gt;</pre>", failures, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>", failures, StringComparison.Ordinal);
        Assert.Contains(@"<span class=""test-file wrap"" data-field=""file"">tests/test_math.py</span>", failures, StringComparison.Ordinal);
        Assert.Contains(@"<span class=""test-class wrap"" data-field=""classname"">tests.test_network</span>", failures, StringComparison.Ordinal);
        Assert.DoesNotContain("test_add", failures, StringComparison.Ordinal);

        // The others after them, collapsed.
        var others = html[html.IndexOf("<details class=\"tests-others\"", StringComparison.Ordinal)..];
        Assert.StartsWith(@"<details class=""tests-others"" id=""tests-others""><summary>1 passed, 1 skipped: show them</summary>", Collapse(others), StringComparison.Ordinal);
        Assert.True(html.IndexOf("test_divide", StringComparison.Ordinal) < html.IndexOf("test_add", StringComparison.Ordinal));

        // porthole tests: the same counts and the failure's message, as text.
        var listed = await CliAsync("tests", Id(job), "--failed");
        Assert.StartsWith("4 tests: 1 passed, 1 failed, 1 errored, 1 skipped\n", listed, StringComparison.Ordinal);
        Assert.Contains("FAILED  test_divide (tests.test_math)  tests/test_math.py\n    ZeroDivisionError: division by <b>zero</b>\n", listed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_job_page_lists_the_artifacts_as_download_links_and_the_cli_downloads_them_byte_for_byte()
    {
        using var project = await PipelineProject.CreateAsync(Web, "jobdata-artifacts", Config);
        var job = await project.FinishedJobAsync();
        var artifacts = (await project.Admin.GetFromJsonAsync<ArtifactList>($"/api/jobs/{job.Id}/artifacts", ApiJson.Options))!;
        Assert.True(artifacts.Items.Count == 2, $"{artifacts.Items.Count} artifacts; the job's log:\n{await LogAsync(project, job)}");
        var html = await PageAsync(job.Id);

        // Each artifact a download link to the API's URL, its size; one node, so no node column.
        Assert.Contains(@"<a href=""#artifacts"" data-field=""artifacts-link"">2 artifacts</a>", html, StringComparison.Ordinal);
        Assert.Equal(["art/deep/page.html", "art/hello.txt"], artifacts.Items.Select(a => a.Path));
        foreach (var artifact in artifacts.Items)
        {
            var name = artifact.Path[(artifact.Path.LastIndexOf('/') + 1)..];
            Assert.Contains($@"<a href=""{WebUtility.HtmlEncode(artifact.Url)}"" download=""{name}"">{artifact.Path}</a>", html, StringComparison.Ordinal);
        }

        Assert.Contains($@"data-label=""Size"" class=""numeric"" title=""{Hello.Length} bytes"">{Hello.Length} bytes</td>", html, StringComparison.Ordinal);
        var table = html[html.IndexOf("<table class=\"table responsive-table artifact-list\"", StringComparison.Ordinal)..];
        Assert.DoesNotContain("data-label=\"Node\"", table[..table.IndexOf("</table>", StringComparison.Ordinal)], StringComparison.Ordinal);

        // porthole artifacts --download: every artifact under DIR/<node>/<path>, the bytes the job wrote.
        using var folder = new TempFolder();
        var downloaded = await CliAsync("artifacts", Id(job), "--download", folder.Path);
        Assert.EndsWith($"2 files, {Hello.Length + Page.Length} bytes, in {folder.Path}\n", downloaded, StringComparison.Ordinal);
        Assert.Equal(Hello, await File.ReadAllTextAsync(Path.Combine(folder.Path, "0", "art", "hello.txt")));
        Assert.Equal(Page, await File.ReadAllTextAsync(Path.Combine(folder.Path, "0", "art", "deep", "page.html")));
    }

    [Fact]
    public async Task A_job_that_stored_nothing_says_so_quietly()
    {
        using var project = await PipelineProject.CreateAsync(Web, "jobdata-none", NoDataConfig);
        var job = await project.FinishedJobAsync();

        var html = await PageAsync(job.Id);

        Assert.Contains(@"<p class=""empty"" data-field=""no-tests"">No test results.</p>", html, StringComparison.Ordinal);
        Assert.Contains(@"<p class=""empty"" data-field=""no-artifacts"">No artifacts.</p>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-field=\"tests-link\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-field=\"artifacts-link\"", html, StringComparison.Ordinal);
        Assert.Equal("No test results.\n", await CliAsync("tests", Id(job)));
        Assert.Equal("No artifacts.\n", await CliAsync("artifacts", Id(job)));
    }

    [Fact]
    public async Task In_a_browser_the_failed_test_comes_first_with_its_message_links_to_itself_and_an_artifact_link_downloads_its_bytes()
    {
        using var project = await PipelineProject.CreateAsync(Web, "jobdata-browser", Config);
        var job = await project.FinishedJobAsync();
        var page = await Web.SignedInPageAsync();
        await page.GotoAsync($"/jobs/{job.Id}");

        // An artifact's link downloads the very bytes the job wrote, for the nested path too.
        var artifacts = page.Locator("#artifacts");
        await Assertions.Expect(artifacts.Locator("tbody a")).ToHaveTextAsync(["art/deep/page.html", "art/hello.txt"]);
        foreach (var (path, content) in new[] { ("art/hello.txt", Hello), ("art/deep/page.html", Page) })
        {
            var link = artifacts.GetByRole(AriaRole.Link, new() { Name = path, Exact = true });
            var download = await page.RunAndWaitForDownloadAsync(() => link.ClickAsync());
            Assert.Equal(path[(path.LastIndexOf('/') + 1)..], download.SuggestedFilename);
            Assert.Null(await download.FailureAsync());
            Assert.Equal(content, await File.ReadAllTextAsync((await download.PathAsync())!));
        }

        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/jobs/{job.Id}$"));

        var section = page.Locator("#tests");
        await Assertions.Expect(section.Locator("[data-field='test-counts'] li")).ToHaveTextAsync(["1 passed", "1 failed", "1 errored", "1 skipped", "4 tests"]);
        var cases = section.Locator(".test-case");
        await Assertions.Expect(cases).ToHaveCountAsync(2);
        var first = cases.First;
        await Assertions.Expect(first.Locator(".test-name")).ToHaveTextAsync("test_divide");
        await Assertions.Expect(first.Locator(".status")).ToHaveTextAsync("failed");
        await Assertions.Expect(first.Locator("[data-field='message']")).ToHaveTextAsync("ZeroDivisionError: division by <b>zero</b>");
        await Assertions.Expect(first.Locator("[data-field='message'] b")).ToHaveCountAsync(0);
        await Assertions.Expect(first.Locator("[data-field='file']")).ToHaveTextAsync("tests/test_math.py");
        await Assertions.Expect(first.Locator("[data-field='classname']")).ToHaveTextAsync("tests.test_math");
        await Assertions.Expect(first.Locator(".test-details")).Not.ToHaveAttributeAsync("open", "");
        await Assertions.Expect(cases.Nth(1).Locator(".test-name")).ToHaveTextAsync("test_connect");

        // The passed and skipped tests are there, collapsed until asked for.
        var others = section.Locator("details.tests-others");
        await Assertions.Expect(others.Locator("tbody tr").First).Not.ToBeVisibleAsync();
        await others.Locator("summary").ClickAsync();
        await Assertions.Expect(others.Locator("tbody th")).ToHaveTextAsync(["test_slow", "test_add"], new() { UseInnerText = true });

        // A failure's own link: the address names it and the page shows it as the target.
        await first.Locator("a.self-link").ClickAsync();
        var anchor = await first.GetAttributeAsync("id");
        Assert.Matches(TestAnchor(), anchor!);
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/jobs/{job.Id}#{anchor}$"));
        Assert.True(await first.EvaluateAsync<bool>("e => e.matches(':target')"));

        await section.ScrollIntoViewIfNeededAsync();
        await Screenshots.SaveAsync(page, "job-tests-artifacts", narrowToo: true);
    }

    private static string Id(JobView job) => job.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The job page's HTML as the server sends it, for the signed-in admin.</summary>
    private async Task<string> PageAsync(long jobId)
    {
        var page = await Web.SignedInPageAsync();
        var response = await page.APIRequest.GetAsync($"/jobs/{jobId}");
        Assert.Equal(200, response.Status);
        return await response.TextAsync();
    }

    /// <summary>The job's log, to say why a test failed when the job did not store what it should have.</summary>
    private static async Task<string> LogAsync(PipelineProject project, JobView job) =>
        await project.Admin.GetStringAsync($"/api/jobs/{job.Id}/log");

    /// <summary>Runs the real <c>porthole</c> command line in this process, logged in to the test's server as its admin; it must succeed.</summary>
    private async Task<string> CliAsync(params string[] args)
    {
        var environment = new Dictionary<string, string>
        {
            ["PORTHOLE_SERVER"] = Web.Address.ToString(),
            ["PORTHOLE_TOKEN"] = Web.AdminToken,
            ["PORTHOLE_CONFIG"] = "/nonexistent/porthole-config.json",
        };
        await using var output = new StringWriter();
        await using var error = new StringWriter();
        var exitCode = await Porthole.Cli.Cli.RunAsync(args, Porthole.Cli.CliContext.Create(output, error, environment), CancellationToken.None);
        Assert.True(exitCode == 0, $"porthole {string.Join(' ', args)} exited {exitCode}: {error}");
        return output.ToString();
    }

    private static string Collapse(string html) => Whitespace().Replace(html, "><");

    [GeneratedRegex(@">\s+<")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"^test-\d+$")]
    private static partial Regex TestAnchor();
}
