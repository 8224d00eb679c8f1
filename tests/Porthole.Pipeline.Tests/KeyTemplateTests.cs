using System.Security.Cryptography;
using System.Text;
using Porthole.Contracts.Plans;

namespace Porthole.Pipeline.Tests;

/// <summary>CircleCI's cache key templates (§A5 "key templates"): Go text/template's syntax and CircleCI's values and words.</summary>
public sealed class KeyTemplateTests
{
    private static readonly Values Sample = new()
    {
        Branch = "main",
        BuildNum = 42,
        Revision = "0123456789abcdef0123456789abcdef01234567",
        DefaultBranch = "trunk",
        Epoch = 1_700_000_000,
        Arch = "linux-amd64",
        Variables = { ["CIRCLE_JOB"] = "build", ["EMPTY"] = string.Empty },
        Files = { ["package-lock.json"] = "{\"lockfileVersion\": 3}\n" },
    };

    [Theory]
    [InlineData("v1-deps", "v1-deps")]
    [InlineData("", "")]
    [InlineData("v1-{{ .Branch }}-{{ .BuildNum }}", "v1-main-42")]
    [InlineData("{{.Revision}}", "0123456789abcdef0123456789abcdef01234567")]
    [InlineData("t-{{ .DefaultBranch }}", "t-trunk")]
    [InlineData("{{ .Environment.CIRCLE_JOB }}/{{ .Environment.EMPTY }}/x", "build//x")]
    [InlineData("e-{{ epoch }}-{{ arch }}", "e-1700000000-linux-amd64")]
    [InlineData("a }} b", "a }} b")]
    [InlineData("a } { b {", "a } { b {")]
    [InlineData("{{ \"lit\\\"er\\u00e9al\" }}", "lit\"eréal")]
    [InlineData("{{ `raw\\n` }}", "raw\\n")]
    [InlineData("a{{/* a comment */}}b", "ab")]
    [InlineData("v1-\n  {{ .Branch\n }}", "v1-\n  main")]
    public async Task Renders_fields_functions_and_text_as_go_does(string text, string expected)
    {
        Assert.Equal(expected, await KeyTemplate.Parse(text).RenderAsync(Sample, CancellationToken.None));
    }

    [Theory]
    [InlineData("v1 -  {{- .Branch -}}  \n- x", "v1 -main- x")]
    [InlineData("a\t\n{{- /* c */ -}}\n\tb", "ab")]
    [InlineData("a {{-\n.Branch\t-}} b", "amainb")]
    [InlineData("a {{ .Branch -}}", "a main")]
    public async Task Trim_markers_eat_the_white_space_beside_them(string text, string expected)
    {
        Assert.Equal(expected, await KeyTemplate.Parse(text).RenderAsync(Sample, CancellationToken.None));
    }

    [Fact]
    public async Task A_dash_without_a_space_is_not_a_trim_marker()
    {
        // Go lexes "{{-3}}" as the number -3, not as a trim marker: a key has no use for numbers, so it is refused.
        var error = Assert.Throws<KeyTemplateException>(() => KeyTemplate.Parse("a {{-3}}"));
        Assert.Equal(4, error.Offset);

        Assert.Equal("a- main", await KeyTemplate.Parse("a- {{ .Branch }}").RenderAsync(Sample, CancellationToken.None));
    }

    [Fact]
    public async Task An_unset_environment_variable_prints_go_no_value()
    {
        var key = await KeyTemplate.Parse("v1-{{ .Environment.NOT_SET }}").RenderAsync(Sample, CancellationToken.None);

        Assert.Equal("v1-<no value>", key);
    }

    [Fact]
    public async Task A_branch_absent_on_a_tag_build_prints_nothing()
    {
        var tagBuild = Sample with { Branch = null, DefaultBranch = null };

        Assert.Equal("v1--", await KeyTemplate.Parse("v1-{{ .Branch }}-{{ .DefaultBranch }}").RenderAsync(tagBuild, CancellationToken.None));
    }

    [Fact]
    public async Task Checksum_is_the_base64_sha256_of_the_file_as_circleci_prints_it()
    {
        var content = Encoding.UTF8.GetBytes(Sample.Files["package-lock.json"]);
        var expected = Convert.ToBase64String(SHA256.HashData(content));

        var key = await KeyTemplate.Parse("deps-{{ checksum \"package-lock.json\" }}").RenderAsync(Sample, CancellationToken.None);

        Assert.Equal("deps-" + expected, key);
        Assert.Equal(44, expected.Length);
        Assert.EndsWith("=", expected);
        Assert.Equal(expected, KeyTemplate.Checksum(content));
        Assert.Equal(expected, KeyTemplate.Checksum(new MemoryStream(content)));
        Assert.Equal(expected, await KeyTemplate.ChecksumAsync(new MemoryStream(content), CancellationToken.None));
    }

    [Fact]
    public void Checksum_of_known_content_matches_sha256sum_then_base64()
    {
        // printf 'hello\n' | sha256sum → 5891b5b5…be03; that digest in base64 is what CircleCI prints.
        Assert.Equal("WJG1tSLV3whtD/CxEPvZ0hu0/HFjrzTQgoai6Eb2vgM=", KeyTemplate.Checksum("hello\n"u8));
    }

    [Fact]
    public async Task A_missing_file_fails_the_render_with_the_callers_error()
    {
        var template = KeyTemplate.Parse("deps-{{ checksum \"nope.lock\" }}");

        await Assert.ThrowsAsync<FileNotFoundException>(async () => await template.RenderAsync(Sample, CancellationToken.None));
    }

    [Fact]
    public async Task Checksum_takes_a_field_as_its_path()
    {
        var values = Sample with { Variables = new(Sample.Variables) { ["LOCK"] = "package-lock.json" } };

        var key = await KeyTemplate.Parse("{{ checksum .Environment.LOCK }}").RenderAsync(values, CancellationToken.None);

        Assert.Equal(KeyTemplate.Checksum(Encoding.UTF8.GetBytes(Sample.Files["package-lock.json"])), key);
    }

    [Fact]
    public void Checksum_paths_lists_the_constant_files_once_each()
    {
        var template = KeyTemplate.Parse("{{ checksum \"a.lock\" }}-{{ checksum `b/c.lock` }}-{{ checksum \"a.lock\" }}-{{ checksum .Environment.X }}");

        Assert.Equal(["a.lock", "b/c.lock"], template.ChecksumPaths);
        Assert.False(template.IsConstant);
        Assert.True(KeyTemplate.Parse("v1-deps").IsConstant);
    }

    [Fact]
    public async Task An_unknown_function_is_circlecis_error_at_render_not_at_parse()
    {
        // The words CircleCI printed for a << parameters >> left in a key (expo/expo-cli PR #1006, §A5).
        var template = KeyTemplate.Parse("v1-{{ parameters.cache_version }}");

        var error = await Assert.ThrowsAsync<KeyTemplateException>(async () => await template.RenderAsync(Sample, CancellationToken.None));
        Assert.Equal("template: cacheKey:1: function \"parameters\" not defined", error.Message);
        Assert.Equal(6, error.Offset);
    }

    [Fact]
    public async Task An_unknown_function_on_a_later_line_names_that_line()
    {
        var template = KeyTemplate.Parse("v1-\n{{ sha256 \"x\" }}");

        var error = await Assert.ThrowsAsync<KeyTemplateException>(async () => await template.RenderAsync(Sample, CancellationToken.None));
        Assert.Equal("template: cacheKey:2: function \"sha256\" not defined", error.Message);
    }

    [Theory]
    [InlineData("v1-{{ parameters.cache_version }}", "function \"parameters\" not defined")]
    [InlineData("{{ .Nope }}", "can't evaluate field Nope")]
    [InlineData("{{ checksum }}", "wrong number of args for checksum")]
    [InlineData("{{ .CheckoutKey }}", "no checkout key")]
    public void Find_render_error_reports_before_the_run_what_no_value_can_fix(string text, string message)
    {
        var error = KeyTemplate.Parse(text).FindRenderError();

        Assert.NotNull(error);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("v1-{{ .Branch }}-{{ checksum \"missing.lock\" }}-{{ .Environment.UNSET }}-{{ epoch }}-{{ arch }}")]
    [InlineData("plain")]
    public void Find_render_error_leaves_alone_what_depends_on_the_node(string text)
    {
        Assert.Null(KeyTemplate.Parse(text).FindRenderError());
    }

    [Theory]
    [InlineData("{{ epoch.Seconds }}", "can't evaluate field Seconds in type string", 3)]
    [InlineData("{{ .Foo }}", "template: cacheKey:1:3: executing \"cacheKey\" at <.Foo>: can't evaluate field Foo", 3)]
    [InlineData("x{{.branch}}", "template: cacheKey:1:3: executing \"cacheKey\" at <.branch>: can't evaluate field branch", 3)]
    [InlineData("v1-{{ .CheckoutKey }}", "template: cacheKey:1:6: executing \"cacheKey\" at <.CheckoutKey>: Porthole has no checkout key", 6)]
    [InlineData("{{ .Environment }}", "at <.Environment>: a key can print one variable, not the whole environment", 3)]
    [InlineData("{{ .Environment.A.B }}", "can't evaluate field B in type string", 3)]
    [InlineData("{{ .Branch.Name }}", "can't evaluate field Name in type string", 3)]
    [InlineData("{{ .Branch \"x\" }}", ".Branch has arguments but cannot be invoked as function", 3)]
    [InlineData("{{ checksum }}", "wrong number of args for checksum: want 1 got 0", 3)]
    [InlineData("{{ checksum \"a\" \"b\" }}", "wrong number of args for checksum: want 1 got 2", 3)]
    [InlineData("{{ epoch \"x\" }}", "wrong number of args for epoch: want 0 got 1", 3)]
    [InlineData("a\n {{ .Nope }}", "template: cacheKey:2:4: executing", 6)]
    public async Task A_field_or_call_that_cannot_render_is_a_clear_error(string text, string message, int offset)
    {
        var template = KeyTemplate.Parse(text);

        var error = await Assert.ThrowsAsync<KeyTemplateException>(async () => await template.RenderAsync(Sample, CancellationToken.None));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Equal(offset, error.Offset);
    }

    [Theory]
    [InlineData("v1-{{ .Branch", "template: cacheKey:1: unclosed action", 3)]
    [InlineData("v1-{{", "template: cacheKey:1: unclosed action", 3)]
    [InlineData("v1-{{ .Branch }", "template: cacheKey:1: a cache key does not support \"}\" here", 14)]
    [InlineData("a\nb {{ }}", "template: cacheKey:2: missing value for command", 4)]
    [InlineData("{{}}", "template: cacheKey:1: missing value for command", 0)]
    [InlineData("{{-  -}}", "template: cacheKey:1: missing value for command", 0)]
    [InlineData("{{- -}}", "template: cacheKey:1: a cache key does not support \"-\" here", 4)]
    [InlineData("{{ checksum \"pack.json }}", "template: cacheKey:1: unterminated quoted string", 12)]
    [InlineData("{{ checksum \"a\nb\" }}", "template: cacheKey:1: unterminated quoted string", 12)]
    [InlineData("{{ checksum `a }}", "template: cacheKey:1: unterminated raw quoted string", 12)]
    [InlineData("{{ \"\\q\" }}", "template: cacheKey:1: invalid syntax", 3)]
    [InlineData("{{/* never closed }}", "template: cacheKey:1: unclosed comment", 2)]
    [InlineData("{{/* c */ .Branch }}", "template: cacheKey:1: comment ends before closing delimiter", 2)]
    [InlineData("{{ .Branch-x }}", "template: cacheKey:1: bad character U+002D '-'", 10)]
    [InlineData("{{ .Branch | printf \"%s\" }}", "a cache key does not support \"|\" here", 11)]
    [InlineData("{{ $x }}", "a cache key does not support \"$x\" here", 3)]
    [InlineData("{{ if .Branch }}a{{ end }}", "a cache key does not support \"if\" here", 3)]
    [InlineData("{{ 3 }}", "a cache key does not support \"3\" here", 3)]
    [InlineData("{{ . }}", "a cache key does not support \".\" here", 3)]
    [InlineData("{{ (epoch) }}", "a cache key does not support \"(epoch)\" here", 3)]
    [InlineData("{{ \"a\" \"b\" }}", "can't give argument to non-function \"a\"", 3)]
    [InlineData("{{ checksum nil }}", "a cache key does not support \"nil\" here", 12)]
    public void A_syntax_error_is_refused_at_parse_with_its_offset(string text, string message, int offset)
    {
        var error = Assert.Throws<KeyTemplateException>(() => KeyTemplate.Parse(text));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("template: cacheKey:", error.Message, StringComparison.Ordinal);
        Assert.Equal(offset, error.Offset);
        Assert.IsAssignableFrom<FormatException>(error);
    }

    [Fact]
    public async Task A_key_with_every_value_renders_in_order()
    {
        var template = KeyTemplate.Parse(
            "v2-{{ arch }}-{{ .Branch }}-{{ .BuildNum }}-{{ checksum \"package-lock.json\" }}-{{ .Environment.CIRCLE_JOB }}-{{ epoch }}");

        var key = await template.RenderAsync(Sample, CancellationToken.None);

        var checksum = KeyTemplate.Checksum(Encoding.UTF8.GetBytes(Sample.Files["package-lock.json"]));
        Assert.Equal($"v2-linux-amd64-main-42-{checksum}-build-1700000000", key);
        Assert.Equal(template.Text, template.ToString());
    }

    [Fact]
    public async Task A_canceled_render_stops_at_the_checksum()
    {
        using var canceled = new CancellationTokenSource();
        await canceled.CancelAsync();

        var template = KeyTemplate.Parse("{{ checksum \"package-lock.json\" }}");

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await template.RenderAsync(Sample, canceled.Token));
    }

    /// <summary>The values a node supplies; files are held in memory, read as a node would read them from its disk.</summary>
    private sealed record Values : IKeyTemplateValues
    {
        public string? Branch { get; init; }

        public long BuildNum { get; init; }

        public string Revision { get; init; } = string.Empty;

        public string? DefaultBranch { get; init; }

        public long Epoch { get; init; }

        public string Arch { get; init; } = string.Empty;

        public Dictionary<string, string> Variables { get; init; } = [];

        public Dictionary<string, string> Files { get; init; } = [];

        public string? Environment(string name) => Variables.GetValueOrDefault(name);

        public async ValueTask<string> ChecksumAsync(string path, CancellationToken ct)
        {
            ct.ThrowIfCancellationRequested();
            if (!Files.TryGetValue(path, out var content))
            {
                throw new FileNotFoundException($"{path}: no such file in the working directory.", path);
            }

            return await KeyTemplate.ChecksumAsync(new MemoryStream(Encoding.UTF8.GetBytes(content)), ct);
        }
    }
}
