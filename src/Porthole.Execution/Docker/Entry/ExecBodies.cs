using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Porthole.Execution.Docker.Entry;

/// <summary>
/// The JSON bodies of <c>exec create</c> and <c>exec start</c>, checked and written anew. The engine decodes JSON as Go
/// does: field names match case-insensitively (with Unicode folding: <c>ſ</c> is <c>s</c>, <c>K</c> is <c>k</c>) and the
/// last of repeated names wins. So a name that is not ASCII, or a field named twice in any case, is refused, and every
/// field is written back under its canonical name; fields the engine's exec config does not have are dropped.
/// </summary>
internal static class ExecBodies
{
    private static readonly string[] CreateFields =
        ["User", "Privileged", "Tty", "ConsoleSize", "AttachStdin", "AttachStderr", "AttachStdout", "Detach", "DetachKeys", "Env", "WorkingDir", "Cmd"];

    private static readonly string[] StartFields = ["Detach", "Tty", "ConsoleSize"];

    /// <summary>
    /// The exec's settings with the rules' user, no privileges, the rules' directory unless the client named one, and the
    /// rules' environment before the client's own entries. Null, with the problem, when the body is not acceptable; the
    /// problem never quotes the body or the environment.
    /// </summary>
    public static byte[]? RewriteCreate(ReadOnlyMemory<byte> body, EntryRules rules, out string? problem)
    {
        try
        {
            return Create(body, rules, out problem);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // A string the JSON reader took but cannot give as text (an escaped lone surrogate).
            problem = "the exec's settings hold text that is not valid Unicode";
            return null;
        }
    }

    private static byte[]? Create(ReadOnlyMemory<byte> body, EntryRules rules, out string? problem)
    {
        if (Read(body, CreateFields, out problem) is not { } fields)
        {
            return null;
        }

        var directory = rules.WorkingDirectory;
        if (fields.TryGetValue("WorkingDir", out var asked))
        {
            if (asked.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
            {
                problem = "the exec's WorkingDir is not a string";
                return null;
            }

            if (asked.GetString() is { Length: > 0 } path)
            {
                directory = path;
            }
        }

        var clientEnvironment = fields.TryGetValue("Env", out var env) ? env : default;
        if (clientEnvironment.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null)
            && (clientEnvironment.ValueKind != JsonValueKind.Array || clientEnvironment.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String)))
        {
            problem = "the exec's Env is not a list of strings";
            return null;
        }

        var output = new ArrayBufferWriter<byte>(body.Length + 256);
        using (var writer = new Utf8JsonWriter(output))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in fields)
            {
                if (name is not ("User" or "Privileged" or "WorkingDir" or "Env"))
                {
                    writer.WritePropertyName(name);
                    value.WriteTo(writer);
                }
            }

            writer.WriteString("User", rules.User);
            writer.WriteBoolean("Privileged", false);
            writer.WriteString("WorkingDir", directory);
            writer.WriteStartArray("Env");
            foreach (var (key, value) in rules.Environment)
            {
                writer.WriteStringValue($"{key}={value}");
            }

            if (clientEnvironment.ValueKind == JsonValueKind.Array)
            {
                foreach (var entry in clientEnvironment.EnumerateArray())
                {
                    entry.WriteTo(writer);
                }
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return output.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The start's settings written anew, and whether the client stays attached (the engine then takes the connection
    /// over); null, with the problem, when the body is not acceptable.
    /// </summary>
    public static (byte[] Body, bool Detach)? RewriteStart(ReadOnlyMemory<byte> body, out string? problem)
    {
        try
        {
            return Start(body, out problem);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            problem = "the exec start's settings hold text that is not valid Unicode";
            return null;
        }
    }

    private static (byte[] Body, bool Detach)? Start(ReadOnlyMemory<byte> body, out string? problem)
    {
        if (Read(body, StartFields, out problem) is not { } fields)
        {
            return null;
        }

        var detach = false;
        if (fields.TryGetValue("Detach", out var detachValue))
        {
            if (detachValue.ValueKind is not (JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null))
            {
                problem = "the exec start's Detach is not true or false";
                return null;
            }

            detach = detachValue.ValueKind == JsonValueKind.True;
        }

        var output = new ArrayBufferWriter<byte>(body.Length + 32);
        using (var writer = new Utf8JsonWriter(output))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in fields)
            {
                if (name != "Detach")
                {
                    writer.WritePropertyName(name);
                    value.WriteTo(writer);
                }
            }

            writer.WriteBoolean("Detach", detach);
            writer.WriteEndObject();
        }

        return (output.WrittenSpan.ToArray(), detach);
    }

    // The body's known fields by canonical name (cloned out of the document), unknown ones left out.
    private static Dictionary<string, JsonElement>? Read(ReadOnlyMemory<byte> body, string[] known, out string? problem)
    {
        problem = "the exec's settings are not a JSON object";
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException)
        {
            return null;
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!Ascii.IsValid(property.Name))
                {
                    problem = "a field name of the exec's settings is not ASCII";
                    return null;
                }

                var canonical = Array.Find(known, k => k.Equals(property.Name, StringComparison.OrdinalIgnoreCase));
                if (canonical is null)
                {
                    continue;
                }

                if (!fields.TryAdd(canonical, property.Value.Clone()))
                {
                    problem = $"the exec's settings name {canonical} more than once";
                    return null;
                }
            }

            problem = null;
            return fields;
        }
    }
}
