using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using Porthole.Contracts.Runners;
using Porthole.Execution.JobData;

namespace Porthole.Execution.Tests.JobData;

/// <summary>JUnit XML as pytest, gotestsum, jest-junit and Surefire write it (Samples/README.md), and hostile reports.</summary>
public sealed class JUnitReaderTests
{
    [Fact]
    public async Task Pytest_reports_one_suite_with_module_classnames()
    {
        var result = await ReadSampleAsync("pytest-xunit2.xml");

        Assert.Null(result.Problem);
        Assert.Equal(6, result.Cases.Count);
        Assert.All(result.Cases, c => Assert.Equal("pytest", c.Suite));
        Assert.All(result.Cases, c => Assert.Null(c.File));
        Assert.Equal(
            [
                ("tests.test_shop", "test_total_adds_prices", TestOutcome.Passed),
                ("tests.test_shop", "test_discount_is_applied", TestOutcome.Failed),
                ("tests.test_shop", "test_saves_order", TestOutcome.Error),
                ("tests.test_shop", "test_pays_with_card", TestOutcome.Skipped),
                ("tests.test_shop.TestCart", "test_empty_cart_has_no_items", TestOutcome.Passed),
                ("tests.test_shop.TestCart", "test_cart_prints_xml_specials", TestOutcome.Failed),
            ],
            result.Cases.Select(c => (c.ClassName, c.Name, c.Outcome)));

        var failed = result.Cases[1];
        Assert.Equal("AssertionError: 10% off 100 should be 80\nassert (100 * 0.9) == 80", failed.Message);
        Assert.Contains("tests/test_shop.py:10: AssertionError", failed.Details, StringComparison.Ordinal);
        Assert.Equal(0.003, failed.Seconds);
        Assert.Equal("failed on setup with \"ConnectionError: could not connect to db on localhost:5432\"", result.Cases[2].Message);
        Assert.Equal("payment sandbox is down", result.Cases[3].Message);
        Assert.Contains("assert '<cart>' == '&cart;'", result.Cases[5].Message, StringComparison.Ordinal);
        Assert.All(result.Cases, c => Assert.Equal("reports/pytest-xunit2.xml", c.Source));
    }

    [Fact]
    public async Task Pytest_xunit1_names_the_file()
    {
        var result = await ReadSampleAsync("pytest-xunit1.xml");

        Assert.Null(result.Problem);
        Assert.All(result.Cases, c => Assert.Equal("tests/test_shop.py", c.File));
    }

    [Fact]
    public async Task Gotestsum_reports_the_package_as_suite_and_class_and_subtests_by_path()
    {
        var result = await ReadSampleAsync("go-gotestsum.xml");

        Assert.Null(result.Problem);
        Assert.Equal(6, result.Cases.Count);
        Assert.All(result.Cases, c => Assert.Equal(("example.com/shop/shop", "example.com/shop/shop"), (c.Suite, c.ClassName)));
        var discount = result.Cases.Single(c => c.Name == "TestDiscount");
        Assert.Equal((TestOutcome.Failed, "Failed"), (discount.Outcome, discount.Message));
        Assert.Contains("shop_test.go:14: discount: got 90, want 80", discount.Details, StringComparison.Ordinal);
        Assert.Equal(TestOutcome.Failed, result.Cases.Single(c => c.Name == "TestCart/with_<items>_&_more").Outcome);
        Assert.Equal(TestOutcome.Passed, result.Cases.Single(c => c.Name == "TestCart/empty").Outcome);

        // gotestsum puts the skip's output in its message attribute.
        var skipped = result.Cases.Single(c => c.Name == "TestPayWithCard");
        Assert.Equal(TestOutcome.Skipped, skipped.Outcome);
        Assert.Contains("payment sandbox is down", skipped.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Jest_junit_reports_describe_blocks_as_suites_and_failures_without_a_message()
    {
        var result = await ReadSampleAsync("jest-junit.xml");

        Assert.Null(result.Problem);
        Assert.Equal(["Cart", "Cart", "Cart", "Cart", "undefined", "undefined"], result.Cases.Select(c => c.Suite));
        Assert.Equal(["src/cart.test.js", "src/cart.test.js", "src/cart.test.js", "src/cart.test.js", "src/price.test.js", "src/price.test.js"], result.Cases.Select(c => c.File));
        var adds = result.Cases[1];
        Assert.Equal(("Cart adds <items> & totals them", TestOutcome.Failed), (adds.Name, adds.Outcome));
        Assert.Equal("Error: expect(received).toBe(expected) // Object.is equality", adds.Message);
        Assert.Contains("Expected: 6", adds.Details, StringComparison.Ordinal);
        Assert.Equal(TestOutcome.Skipped, result.Cases[2].Outcome);
        Assert.Null(result.Cases[2].Message);
        Assert.Equal("TypeError: price must not be negative", result.Cases[5].Message);
    }

    [Fact]
    public async Task Surefire_reports_a_bare_testsuite_and_a_flaky_failure_is_a_pass()
    {
        var result = await ReadSampleAsync("surefire-TEST-com.example.shop.CartTest.xml");

        Assert.Null(result.Problem);
        Assert.Equal(
            [
                ("startsEmpty", TestOutcome.Passed),
                ("addsItems", TestOutcome.Failed),
                ("savesOrder", TestOutcome.Error),
                ("paysWithCard", TestOutcome.Skipped),
                ("appliesDiscount", TestOutcome.Passed),
            ],
            result.Cases.Select(c => (c.Name, c.Outcome)));
        Assert.All(result.Cases, c => Assert.Equal(("com.example.shop.CartTest", "com.example.shop.CartTest"), (c.Suite, c.ClassName)));
        Assert.Equal("expected: <6> but was: <5>", result.Cases[1].Message);
        Assert.StartsWith("org.opentest4j.AssertionFailedError: expected: <6> but was: <5>\n\tat ", result.Cases[1].Details, StringComparison.Ordinal);
        Assert.Equal("Connection refused: localhost/127.0.0.1:5432", result.Cases[2].Message);
        Assert.Equal(1204.001, result.Cases[4].Seconds);
    }

    [Fact]
    public async Task Nested_suites_name_their_own_cases()
    {
        var result = await ReadAsync("""
            <testsuites>
              <testsuite name="outer">
                <testsuite name="inner"><testcase classname="c" name="one"/></testsuite>
                <testsuite name="empty"/>
                <testcase classname="c" name="two" time="nonsense"/>
              </testsuite>
              <testcase name="three" time="-1"/>
            </testsuites>
            """);

        Assert.Null(result.Problem);
        Assert.Equal([("inner", "c", "one"), ("outer", "c", "two"), (null, string.Empty, "three")], result.Cases.Select(c => (c.Suite, c.ClassName, c.Name)));
        Assert.All(result.Cases, c => Assert.Null(c.Seconds));
    }

    [Fact]
    public async Task A_failure_outranks_a_skip_and_the_first_failure_is_kept()
    {
        var result = await ReadAsync("""
            <testsuite name="s">
              <testcase classname="c" name="t">
                <skipped message="later"/>
                <system-out>noise</system-out>
                <failure message="first">one</failure>
                <error message="second">two</error>
              </testcase>
              <testcase classname="c" name="after"/>
            </testsuite>
            """);

        Assert.Equal([("t", TestOutcome.Failed, "first", "one"), ("after", TestOutcome.Passed, null, null)], result.Cases.Select(c => (c.Name, c.Outcome, c.Message, c.Details)));
    }

    [Fact]
    public async Task Messages_and_details_are_bounded_and_terminal_colours_removed()
    {
        var longMessage = new string('m', 5000);
        var longText = new string('d', 100_000);

        var result = await ReadAsync($"""
            <testsuite name="s">
              <testcase classname="c" name="long"><failure message="{longMessage}">{longText}</failure></testcase>
              <testcase classname="c" name="coloured"><failure message="&#x1b;[31mred&#x1b;[0m and &#x7;bell">line&#x1b;[1m
            two</failure></testcase>
            </testsuite>
            """);

        Assert.Null(result.Problem);
        Assert.Equal(JUnitReader.MaxMessageLength, result.Cases[0].Message!.Length);
        Assert.Equal(JUnitReader.MaxDetailsLength, result.Cases[0].Details!.Length);
        Assert.Equal("red and bell", result.Cases[1].Message);
        Assert.Equal("line\ntwo", result.Cases[1].Details);
    }

    [Fact]
    public async Task Malformed_xml_is_a_problem_with_its_line_and_the_cases_before_it_are_kept()
    {
        var result = await ReadAsync("<testsuite name=\"s\">\n<testcase classname=\"c\" name=\"ok\"/>\n<testcase classname=\"c\" name=\"cut\"><failure>half");

        Assert.Equal(["ok"], result.Cases.Select(c => c.Name));
        Assert.StartsWith("is not well-formed XML at line 3: ", result.Problem, StringComparison.Ordinal);

        var mismatched = await ReadAsync("<testsuites><testsuite></testsuites>");
        Assert.StartsWith("is not well-formed XML at line 1: ", mismatched.Problem, StringComparison.Ordinal);

        var empty = await ReadAsync(string.Empty);
        Assert.StartsWith("is not well-formed XML", empty.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Billion_laughs_is_refused_for_its_dtd_without_expanding_anything()
    {
        var laughs = new StringBuilder("<?xml version=\"1.0\"?>\n<!DOCTYPE testsuites [\n<!ENTITY lol \"lol\">\n");
        for (var i = 1; i <= 9; i++)
        {
            laughs.Append(System.Globalization.CultureInfo.InvariantCulture, $"<!ENTITY lol{i} \"{string.Concat(Enumerable.Repeat($"&lol{(i == 1 ? string.Empty : i - 1)};", 10))}\">\n");
        }

        laughs.Append("]>\n<testsuites><testsuite name=\"s\"><testcase classname=\"c\" name=\"&lol9;\"/></testsuite></testsuites>");
        var watch = Stopwatch.StartNew();

        var result = await ReadAsync(laughs.ToString());

        Assert.Empty(result.Cases);
        Assert.Equal("has a DTD, which is refused (its entities could expand without bound)", result.Problem);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task An_external_entity_is_refused_as_a_dtd()
    {
        var result = await ReadAsync("<?xml version=\"1.0\"?><!DOCTYPE t [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><testsuite><testcase name=\"&x;\"/></testsuite>");

        Assert.Empty(result.Cases);
        Assert.StartsWith("has a DTD", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_report_over_the_size_limit_stops_there_with_a_problem()
    {
        // An endless failure text: the reader keeps 64 KB of it and stops at the document limit, never holding the rest.
        var head = "<testsuites><testsuite name=\"s\"><testcase classname=\"c\" name=\"first\"/><testcase classname=\"c\" name=\"big\"><failure message=\"m\">"u8.ToArray();
        await using var endless = new EndlessStream(head, "0123456789abcdef\n"u8.ToArray());
        var reader = new JUnitReader(maxCharacters: 8L * 1024 * 1024);

        var result = await reader.ReadAsync(endless, "big.xml", CancellationToken.None);

        Assert.Equal("is larger than the limit for a test report; the cases before the limit are kept", result.Problem);
        Assert.Equal(["first"], result.Cases.Select(c => c.Name));
        Assert.InRange(endless.Position, 8L * 1024 * 1024, 9L * 1024 * 1024);
    }

    [Fact]
    public async Task More_cases_than_the_limit_keeps_the_first_ones()
    {
        await using var endless = new EndlessStream("<testsuite name=\"s\">"u8.ToArray(), "<testcase classname=\"c\" name=\"t\"/>"u8.ToArray());

        var result = await new JUnitReader(maxCases: 1000).ReadAsync(endless, null, CancellationToken.None);

        Assert.Equal(1000, result.Cases.Count);
        Assert.Equal("has more than 1000 test cases; the first 1000 are kept", result.Problem);
    }

    [Theory]
    [InlineData("<html><body>not a report</body></html>", "is not a JUnit report: its root element is <html>, not <testsuites> or <testsuite>")]
    [InlineData("<?xml version=\"1.0\"?><testsuites/>", null)]
    public async Task Another_root_is_not_a_junit_report(string xml, string? problem)
    {
        var result = await ReadAsync(xml);

        Assert.Empty(result.Cases);
        Assert.Equal(problem, result.Problem);
    }

    private static Task<JUnitReadResult> ReadAsync(string xml) =>
        JUnitReader.Default.ReadAsync(new MemoryStream(Encoding.UTF8.GetBytes(xml)), "report.xml", CancellationToken.None);

    private static async Task<JUnitReadResult> ReadSampleAsync(string name)
    {
        await using var file = File.OpenRead(Path.Combine(SamplesFolder(), name));
        return await JUnitReader.Default.ReadAsync(file, "reports/" + name, CancellationToken.None);
    }

    private static string SamplesFolder([CallerFilePath] string thisFile = "") => Path.Combine(Path.GetDirectoryName(thisFile)!, "Samples");

    /// <summary>A head, then a body repeated without end: a report of any size without holding it.</summary>
    private sealed class EndlessStream(byte[] head, byte[] body) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            for (var i = 0; i < count; i++, _position++)
            {
                buffer[offset + i] = _position < head.Length ? head[_position] : body[(_position - head.Length) % body.Length];
            }

            return count;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
