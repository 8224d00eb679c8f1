using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Porthole.Contracts.Plans;

/// <summary>
/// A CircleCI cache key template (§A5 "key templates": Go text/template over the key): parsed once, where the config is
/// read, so a malformed key is an error at its line; rendered on the node, where the branch, the environment and the
/// files are. Unknown fields and functions parse and fail at render, as in CircleCI, whose words the errors use.
/// </summary>
public sealed class KeyTemplate
{
    /// <summary>The name CircleCI gives the template in its errors (<c>template: cacheKey:1: …</c>).</summary>
    public const string TemplateName = "cacheKey";

    private const string NoValue = "<no value>";

    private readonly IReadOnlyList<KeyTemplatePart> _parts;

    private KeyTemplate(string text, IReadOnlyList<KeyTemplatePart> parts)
    {
        Text = text;
        _parts = parts;
        ChecksumPaths = parts.OfType<CallPart>()
            .Where(call => call.Function == "checksum")
            .SelectMany(call => call.Arguments.OfType<StringOperand>().Take(1))
            .Select(argument => argument.Value)
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The template as written.</summary>
    public string Text { get; }

    /// <summary>The files named by <c>{{ checksum "…" }}</c> with a constant path, in order, each once.</summary>
    public IReadOnlyList<string> ChecksumPaths { get; }

    /// <summary>True when the template has no action: it renders as its own text.</summary>
    public bool IsConstant => _parts.All(part => part is LiteralPart);

    /// <summary>Checks the template's syntax. Throws <see cref="KeyTemplateException"/> with the offset of the problem.</summary>
    public static KeyTemplate Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new KeyTemplate(text, KeyTemplateParser.Parse(text));
    }

    /// <summary>
    /// The key for these values. Throws <see cref="KeyTemplateException"/> for an unknown function or field, and lets
    /// through what <see cref="IKeyTemplateValues.ChecksumAsync"/> throws for a file it cannot read.
    /// </summary>
    public async ValueTask<string> RenderAsync(IKeyTemplateValues values, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(values);
        var key = new StringBuilder();
        foreach (var part in _parts)
        {
            key.Append(part switch
            {
                LiteralPart literal => literal.Text,
                ConstantPart constant => constant.Value,
                FieldPart field => Field(field.Names, field.Arguments, field.Offset, values),
                CallPart call => await CallAsync(call, values, ct),
                _ => throw new InvalidOperationException($"Unexpected template part {part}."),
            });
        }

        return key.ToString();
    }

    /// <summary>
    /// The error a render will throw whatever the values are (an unknown function or field, a wrong number of
    /// arguments), or null. CircleCI reports these only when the step runs; a config reader may report them at the key's line.
    /// </summary>
    public KeyTemplateException? FindRenderError()
    {
        // The placeholders' checksum completes at once, so the render has finished when it returns.
        var render = RenderAsync(PlaceholderValues.Instance, CancellationToken.None).AsTask();
        return render.IsFaulted ? render.Exception.InnerException as KeyTemplateException : null;
    }

    /// <summary>What <c>{{ checksum }}</c> prints for a file's content: the base64 of its SHA-256 (44 characters, with padding).</summary>
    public static string Checksum(ReadOnlySpan<byte> content) => Convert.ToBase64String(SHA256.HashData(content));

    /// <summary><see cref="Checksum(ReadOnlySpan{byte})"/> of a stream's bytes from its position to its end.</summary>
    public static string Checksum(Stream content) => Convert.ToBase64String(SHA256.HashData(content));

    /// <summary><see cref="Checksum(Stream)"/>, reading asynchronously.</summary>
    public static async ValueTask<string> ChecksumAsync(Stream content, CancellationToken ct) =>
        Convert.ToBase64String(await SHA256.HashDataAsync(content, ct));

    public override string ToString() => Text;

    private string Field(IReadOnlyList<string> names, IReadOnlyList<KeyTemplateOperand> arguments, int offset, IKeyTemplateValues values)
    {
        var shown = "." + string.Join('.', names);
        if (arguments.Count > 0)
        {
            throw Executing(offset, shown, $"{shown} has arguments but cannot be invoked as function");
        }

        if (names[0] == "Environment")
        {
            return names.Count switch
            {
                1 => throw Executing(offset, shown, "a key can print one variable, not the whole environment: write .Environment.NAME"),
                2 => values.Environment(names[1]) ?? NoValue,
                _ => throw Executing(offset, shown, $"can't evaluate field {names[2]} in type string"),
            };
        }

        var value = names[0] switch
        {
            "Branch" => values.Branch ?? string.Empty,
            "BuildNum" => values.BuildNum.ToString(CultureInfo.InvariantCulture),
            "Revision" => values.Revision,
            "DefaultBranch" => values.DefaultBranch ?? string.Empty,
            "CheckoutKey" => throw Executing(
                offset, shown, "Porthole has no checkout key to print (jobs check out with the server's credentials); use another value in the key"),
            _ => throw Executing(
                offset,
                shown,
                $"can't evaluate field {names[0]}: a key knows .Branch, .BuildNum, .Revision, .DefaultBranch and .Environment.NAME"),
        };

        return names.Count == 1 ? value : throw Executing(offset, shown, $"can't evaluate field {names[1]} in type string");
    }

    private async ValueTask<string> CallAsync(CallPart call, IKeyTemplateValues values, CancellationToken ct)
    {
        var want = call.Function switch
        {
            "checksum" => 1,
            "epoch" or "arch" => 0,
            _ => throw new KeyTemplateException(
                KeyTemplateParser.Located(Text, call.Offset, $"function \"{call.Function}\" not defined"), call.Offset),
        };
        if (call.Arguments.Count != want)
        {
            throw Executing(
                call.Offset,
                call.Function,
                string.Create(CultureInfo.InvariantCulture, $"wrong number of args for {call.Function}: want {want} got {call.Arguments.Count}"));
        }

        var value = call.Function switch
        {
            "epoch" => values.Epoch.ToString(CultureInfo.InvariantCulture),
            "arch" => values.Arch,
            _ => await values.ChecksumAsync(await ArgumentAsync(call.Arguments[0], values, ct), ct),
        };
        return call.Chain.Count == 0
            ? value
            : throw Executing(call.Offset, call.Function, $"can't evaluate field {call.Chain[0]} in type string");
    }

    private async ValueTask<string> ArgumentAsync(KeyTemplateOperand operand, IKeyTemplateValues values, CancellationToken ct) => operand switch
    {
        StringOperand text => text.Value,
        FieldOperand field => Field(field.Names, [], field.Offset, values),
        FunctionOperand function => await CallAsync(new CallPart(function.Name, [], function.Chain, function.Offset), values, ct),
        _ => throw new InvalidOperationException($"Unexpected operand {operand}."),
    };

    /// <summary>Values that are all there: a render with them fails only for what no value can fix.</summary>
    private sealed class PlaceholderValues : IKeyTemplateValues
    {
        public static readonly PlaceholderValues Instance = new();

        public string? Branch => "branch";

        public long BuildNum => 1;

        public string Revision => "revision";

        public string? DefaultBranch => "default";

        public long Epoch => 0;

        public string Arch => "arch";

        public string? Environment(string name) => "value";

        public ValueTask<string> ChecksumAsync(string path, CancellationToken ct) => ValueTask.FromResult("checksum");
    }

    /// <summary>Go's run-time error: <c>template: cacheKey:1:2: executing "cacheKey" at &lt;.Foo&gt;: …</c>.</summary>
    private KeyTemplateException Executing(int offset, string at, string message)
    {
        var line = KeyTemplateParser.LineOf(Text, offset);
        var lineStart = Text.LastIndexOf('\n', Math.Max(0, offset - 1)) + 1;
        var column = offset - lineStart;
        return new KeyTemplateException(
            string.Create(CultureInfo.InvariantCulture, $"template: {TemplateName}:{line}:{column}: executing \"{TemplateName}\" at <{at}>: {message}"),
            offset);
    }
}
