using System.Globalization;
using System.Text;
using System.Xml;
using Porthole.Contracts.Runners;

namespace Porthole.Execution.JobData;

/// <summary>
/// The cases read from one JUnit XML report, and <see cref="Problem"/> when the report could not be read to its end
/// (not well-formed, a DTD, over a limit, not JUnit): the cases before the problem are kept.
/// </summary>
public sealed record JUnitReadResult(IReadOnlyList<TestCaseResult> Cases, string? Problem);

/// <summary>
/// Reads a JUnit XML report as <c>store_test_results</c> stores it (§A5), streaming and bounded: JUnit/Surefire's bare
/// <c>&lt;testsuite&gt;</c>, <c>&lt;testsuites&gt;</c> with nested suites (pytest, Jest's jest-junit, gotestsum), each
/// <c>testcase</c> with its <c>failure</c>, <c>error</c> or <c>skipped</c>. A DTD is refused (no entity is expanded:
/// billion laughs), the document is read up to <see cref="MaxCharacters"/> characters and <see cref="MaxCases"/> cases;
/// what goes wrong is a <see cref="JUnitReadResult.Problem"/>, never an exception.
/// </summary>
public sealed class JUnitReader
{
    public const int MaxMessageLength = 1000;

    public const int MaxDetailsLength = 64 * 1024;

    public JUnitReader(int maxCases = 100_000, long maxCharacters = 64L * 1024 * 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCases, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCharacters, 1);
        MaxCases = maxCases;
        MaxCharacters = maxCharacters;
    }

    /// <summary>The limits a store_test_results step reads with.</summary>
    public static JUnitReader Default { get; } = new();

    public int MaxCases { get; }

    public long MaxCharacters { get; }

    /// <summary>
    /// Reads <paramref name="xml"/>; <paramref name="source"/> (the report's path relative to the step's path) is set on
    /// every case. Only a cancellation is thrown.
    /// </summary>
    public async Task<JUnitReadResult> ReadAsync(Stream xml, string? source, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(xml);
        var cases = new List<TestCaseResult>();
        var settings = new XmlReaderSettings
        {
            Async = true,
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersInDocument = MaxCharacters,

            // No DTD means no entity to expand; should one get through, it expands to nothing much.
            MaxCharactersFromEntities = 1024,
            IgnoreComments = true,
            IgnoreProcessingInstructions = true,
            IgnoreWhitespace = true,

            // Test output carries terminal escapes (ESC is not an XML 1.0 character); read them rather than fail.
            CheckCharacters = false,
            CloseInput = false,
        };
        try
        {
            using var reader = XmlReader.Create(xml, settings);
            var problem = await ReadReportAsync(reader, cases, source, ct);
            return new JUnitReadResult(cases, problem);
        }
        catch (XmlException e)
        {
            return new JUnitReadResult(cases, Describe(e));
        }
        catch (Exception e) when (e is IOException or InvalidDataException or DecoderFallbackException)
        {
            return new JUnitReadResult(cases, $"could not be read: {e.Message}");
        }
    }

    private static string Describe(XmlException e)
    {
        if (e.Message.Contains("DTD is prohibited", StringComparison.Ordinal))
        {
            return "has a DTD, which is refused (its entities could expand without bound)";
        }

        if (e.Message.Contains("MaxCharactersInDocument", StringComparison.Ordinal))
        {
            return "is larger than the limit for a test report; the cases before the limit are kept";
        }

        var what = e.Message;
        var at = what.IndexOf(" Line ", StringComparison.Ordinal);
        what = at > 0 ? what[..at].TrimEnd('.', ',') : what.TrimEnd('.');
        return string.Create(CultureInfo.InvariantCulture, $"is not well-formed XML at line {e.LineNumber}: {what}");
    }

    private async Task<string?> ReadReportAsync(XmlReader reader, List<TestCaseResult> cases, string? source, CancellationToken ct)
    {
        if (await reader.MoveToContentAsync() != XmlNodeType.Element)
        {
            return "has no root element";
        }

        if (reader.LocalName is not ("testsuites" or "testsuite"))
        {
            return $"is not a JUnit report: its root element is <{reader.LocalName}>, not <testsuites> or <testsuite>";
        }

        var suites = new Stack<string?>();
        do
        {
            ct.ThrowIfCancellationRequested();
            if (reader.NodeType == XmlNodeType.EndElement && reader.LocalName == "testsuite")
            {
                suites.TryPop(out _);
                continue;
            }

            if (reader.NodeType != XmlNodeType.Element)
            {
                continue;
            }

            switch (reader.LocalName)
            {
                case "testsuite" when !reader.IsEmptyElement:
                    suites.Push(reader.GetAttribute("name"));
                    break;
                case "testcase" when cases.Count == MaxCases:
                    return string.Create(CultureInfo.InvariantCulture, $"has more than {MaxCases} test cases; the first {MaxCases} are kept");
                case "testcase":
                    var suite = suites.Count > 0 ? suites.Peek() : null;
                    cases.Add(await ReadCaseAsync(reader, suite, ct) with { Source = source });
                    break;
            }
        }
        while (await reader.ReadAsync());

        return null;
    }

    /// <summary>Reads a <c>testcase</c> element; the reader ends on its last node (its end, or itself when empty).</summary>
    private static async Task<TestCaseResult> ReadCaseAsync(XmlReader reader, string? suite, CancellationToken ct)
    {
        var name = reader.GetAttribute("name");
        var className = reader.GetAttribute("classname") ?? suite ?? string.Empty;
        var file = reader.GetAttribute("file");
        var seconds = Seconds(reader.GetAttribute("time"));
        var outcome = TestOutcome.Passed;
        string? message = null;
        string? details = null;
        if (!reader.IsEmptyElement)
        {
            var depth = reader.Depth;
            await reader.ReadAsync();
            while (reader.Depth > depth)
            {
                ct.ThrowIfCancellationRequested();
                if (reader.NodeType == XmlNodeType.Element && reader.Depth == depth + 1)
                {
                    var found = reader.LocalName switch
                    {
                        "failure" => TestOutcome.Failed,
                        "error" => TestOutcome.Error,
                        "skipped" => TestOutcome.Skipped,
                        _ => (TestOutcome?)null,
                    };
                    if (found is not { } kind || Rank(kind) <= Rank(outcome))
                    {
                        // system-out, Surefire's flakyFailure and rerunFailure (the test passed in the end), a second failure.
                        await reader.SkipAsync();
                        continue;
                    }

                    outcome = kind;
                    var attribute = reader.GetAttribute("message");
                    var text = await ReadBoundedTextAsync(reader, MaxDetailsLength, ct);
                    details = text.Length > 0 ? Clean(text) : null;
                    message = Truncate(Clean(attribute ?? FirstLine(text)), MaxMessageLength);
                }

                if (!await reader.ReadAsync())
                {
                    break;
                }
            }
        }

        return new TestCaseResult(suite, className, name ?? "(no name)", file, outcome, seconds, message, details);
    }

    private static int Rank(TestOutcome outcome) => outcome switch
    {
        TestOutcome.Passed => 0,
        TestOutcome.Skipped => 1,
        _ => 2,
    };

    /// <summary>The text of the element the reader is on, at most <paramref name="limit"/> characters kept; the reader ends on its end.</summary>
    private static async Task<string> ReadBoundedTextAsync(XmlReader reader, int limit, CancellationToken ct)
    {
        if (reader.IsEmptyElement)
        {
            return string.Empty;
        }

        var depth = reader.Depth;
        var text = new StringBuilder();
        var chunk = new char[4096];
        await reader.ReadAsync();
        while (reader.Depth > depth)
        {
            ct.ThrowIfCancellationRequested();
            if (reader.NodeType is XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.SignificantWhitespace or XmlNodeType.Whitespace)
            {
                int read;
                while ((read = await reader.ReadValueChunkAsync(chunk, 0, chunk.Length)) > 0)
                {
                    text.Append(chunk, 0, Math.Min(read, Math.Max(0, limit - text.Length)));
                }
            }

            if (!await reader.ReadAsync())
            {
                break;
            }
        }

        return text.ToString();
    }

    private static double? Seconds(string? time)
    {
        // Older Surefire wrote times with the build machine's thousands separator ("1,234.5").
        return double.TryParse(time?.Replace(",", string.Empty, StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            && double.IsFinite(seconds) && seconds >= 0
                ? seconds
                : null;
    }

    private static string FirstLine(string text)
    {
        var trimmed = text.TrimStart();
        var end = trimmed.IndexOfAny(['\r', '\n']);
        return end < 0 ? trimmed : trimmed[..end];
    }

    private static string? Truncate(string text, int length) =>
        text.Length == 0 ? null : text.Length <= length ? text : text[..length];

    /// <summary>Drops control characters a page cannot show (terminal colours), keeping tabs and line ends.</summary>
    private static string Clean(string text)
    {
        if (!text.AsSpan().ContainsAnyInRange('\0', '\u001F'))
        {
            return text;
        }

        var clean = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\u001B' && i + 1 < text.Length && text[i + 1] == '[')
            {
                // An ANSI sequence: ESC [ parameters, then a letter.
                i += 2;
                while (i < text.Length && !char.IsAsciiLetter(text[i]))
                {
                    i++;
                }

                continue;
            }

            if (c is '\t' or '\n' or '\r' || c >= ' ')
            {
                clean.Append(c);
            }
        }

        return clean.ToString();
    }
}
