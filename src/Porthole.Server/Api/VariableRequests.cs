using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Porthole.Contracts.Api;

namespace Porthole.Server.Api;

/// <summary>
/// What a variable set by name must be, for a project's (<c>/api/projects/{name}/env</c>) and a context's
/// (<c>/api/contexts/{name}/env</c>) alike: a POSIX name, a value of at most 64 KiB, and a secret long enough to be masked.
/// </summary>
public static partial class VariableRequests
{
    public const int MaxValueLength = 64 * 1024;

    /// <summary>
    /// A secret shorter than this cannot be masked in logs: the masker leaves such values alone, since hiding every "yes"
    /// or "1" of a log would hide nothing (Porthole.Execution's SecretMasker.MinimumLength, the same number).
    /// </summary>
    public const int MinimumSecretLength = 4;

    public const string SecretTooShortCode = "secret_too_short";

    public static bool IsValidName(string? name) => name is not null && VariableName().IsMatch(name);

    /// <summary>Why <paramref name="name"/> is not a variable name, or null when it is one.</summary>
    public static string? NameProblem(string? name) =>
        IsValidName(name) ? null : $"'{Lookups.Shorten(Printable(name ?? ""))}' is not a valid variable name: letters, digits and '_', not starting with a digit.";

    /// <summary>Whether setting <paramref name="name"/> to <paramref name="request"/> is refused, and with which <paramref name="problem"/>.</summary>
    public static bool Refuses(string name, [NotNullWhen(false)] SetVariableRequest? request, [NotNullWhen(true)] out ProblemHttpResult? problem)
    {
        problem = Problem(name, request);
        return problem is not null;
    }

    private static ProblemHttpResult? Problem(string name, SetVariableRequest? request)
    {
        if (NameProblem(name) is { } invalid)
        {
            return Problems.BadRequest(ErrorCodes.InvalidRequest, invalid);
        }

        if (request?.Value is null)
        {
            return Problems.BadRequest(ErrorCodes.InvalidRequest, "Send the value as {\"value\": \"…\", \"secret\": true}.");
        }

        if (request.Value.Length > MaxValueLength)
        {
            return Problems.BadRequest(ErrorCodes.InvalidRequest, "A variable's value may be at most 64 KiB.");
        }

        if (request.Secret == true && !CanBeMasked(request.Value))
        {
            return Problems.BadRequest(SecretTooShortCode, $"A secret must be at least {MinimumSecretLength} characters long: shorter values cannot be masked in logs reliably.");
        }

        return null;
    }

    private static bool CanBeMasked(string value) => value.Split('\n').Any(line => line.TrimEnd('\r').Length >= MinimumSecretLength);

    /// <summary>The name as it can be shown on one line: control characters as <c>\u000A</c>.</summary>
    private static string Printable(string name) =>
        string.Concat(name.Select(c => char.IsControl(c) ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"\\u{(int)c:X4}") : c.ToString()));

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,255}$")]
    private static partial Regex VariableName();
}
