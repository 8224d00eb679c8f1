using System.Text.Json;

namespace Porthole.Server.Pipelines;

/// <summary>
/// A trigger's pipeline parameters (§A0 step 2) as the compiler takes them: each value as text, a boolean <c>true</c> or
/// <c>false</c>, a number as written. Anything else (null, a list, an object) is refused before anything is fetched;
/// whether a parameter is declared and of the right type is the compiler's to say, with the config's positions.
/// </summary>
public static class TriggerParameters
{
    public const int MaxCount = 100;

    public const int MaxNameLength = 100;

    public const int MaxValueLength = 64 * 1024;

    public static (IReadOnlyDictionary<string, string>? Parameters, string? Problem) Read(IReadOnlyDictionary<string, JsonElement>? given)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        if (given is null)
        {
            return (parameters, null);
        }

        if (given.Count > MaxCount)
        {
            return (null, $"{given.Count} parameters given; the limit is {MaxCount}.");
        }

        foreach (var (name, value) in given)
        {
            if (name.Length is 0 or > MaxNameLength || name.Any(char.IsControl))
            {
                return (null, $"A parameter's name must be 1 to {MaxNameLength} characters without control characters.");
            }

            string? text = value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                JsonValueKind.Number => value.GetRawText(),
                _ => null,
            };
            if (text is null)
            {
                var kind = value.ValueKind switch
                {
                    JsonValueKind.Null => "null",
                    JsonValueKind.Array => "a list",
                    JsonValueKind.Object => "an object",
                    _ => value.ValueKind.ToString().ToLowerInvariant(),
                };
                return (null, $"Parameter '{name}' is {kind}; a pipeline parameter is a string, a boolean or a number.");
            }

            if (text.Length > MaxValueLength)
            {
                return (null, $"Parameter '{name}' is {text.Length} characters long; the limit is {MaxValueLength}.");
            }

            parameters[name] = text;
        }

        return (parameters, null);
    }
}
