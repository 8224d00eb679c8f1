using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Api;
using Porthole.Contracts.Runners;
using Porthole.Server.Api;
using Porthole.Data;

namespace Porthole.Server.Runners.Http;

/// <summary>The checks of what a remote runner sends (issue 14's bad input): each refusal says what is wrong.</summary>
public static partial class RunnerInput
{
    public const int MaxLabels = 64;
    public const int MaxMessage = 4096;
    public const int MaxStepName = 1024;
    public const int MaxStepIndex = 100_000;

    [GeneratedRegex("^[A-Za-z0-9._:/-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex LabelPattern();

    [GeneratedRegex(@"^[A-Za-z0-9.:\[\]-]{1,253}$", RegexOptions.CultureInvariant)]
    private static partial Regex AddressPattern();

    /// <summary>Why <paramref name="request"/> cannot register the runner named <paramref name="tokenName"/>, or null.</summary>
    public static ProblemHttpResult? RegistrationProblem(RunnerRegisterRequest? request, string tokenName)
    {
        if (request is null)
        {
            return Bad("The registration needs a JSON body: {\"version\", \"labels\", \"capacity\", \"address\"}.");
        }

        if (request.Name is { } name && !string.Equals(name.Trim(), tokenName, StringComparison.Ordinal))
        {
            return Bad($"A remote runner's name is its token's name ({tokenName}); leave name out or give that name.");
        }

        if (string.IsNullOrWhiteSpace(request.Version) || request.Version.Length > 64)
        {
            return Bad("version is required (at most 64 characters).");
        }

        var labels = request.Labels ?? [];
        if (labels.Count > MaxLabels)
        {
            return Bad($"A runner has at most {MaxLabels} labels.");
        }

        foreach (var label in labels)
        {
            if (label is null || !LabelPattern().IsMatch(label.Trim()))
            {
                return Bad($"The label '{Shown(label)}' is not letters, digits, '.', '_', ':', '/' and '-' (1 to 64).");
            }
        }

        if (request.Capacity is < 1 or > 256)
        {
            return Bad("capacity is how many nodes the runner runs at once: 1 to 256.");
        }

        return string.IsNullOrWhiteSpace(request.Address) || !AddressPattern().IsMatch(request.Address.Trim())
            ? Bad("address is the host or IP address the runner's SSH endpoints are reached at (letters, digits, '.', ':', '-', '[', ']').")
            : null;
    }

    /// <summary>Whether another runner (another token's, or a built-in one) already has the caller's name.</summary>
    public static Task<bool> NameTakenAsync(PortholeDb db, RunnerCaller caller, CancellationToken ct) =>
        db.Runners.AnyAsync(r => r.Name == caller.Name && (r.TokenId == null || r.TokenId != caller.Token.Id), ct);

    /// <summary>Why a step report cannot be stored, or null.</summary>
    public static ProblemHttpResult? StepProblem(StepReport? report) => report switch
    {
        null => Bad("A step report needs a JSON body."),
        { Index: < 0 or > MaxStepIndex } => Bad($"A step's index is 0 to {MaxStepIndex}."),
        { Name: null or "" } or { Name.Length: > MaxStepName } => Bad($"A step's name is 1 to {MaxStepName} characters."),
        { LogStart: < 0 } => Bad("A step's log start is an offset: 0 or more."),
        { LogEnd: { } end } when end < report.LogStart => Bad("A step's log end is not before its start."),
        _ => null,
    };

    /// <summary>A message kept to its first <see cref="MaxMessage"/> characters.</summary>
    public static string? Clip(string? message) => message is { Length: > MaxMessage } ? message[..MaxMessage] : message;

    internal static ProblemHttpResult Bad(string detail) => Problems.BadRequest(ErrorCodes.InvalidRequest, detail);

    internal static ProblemHttpResult TooLarge(string detail) => Problems.Create(StatusCodes.Status413PayloadTooLarge, "payload_too_large", detail);

    private static string Shown(string? text) => text is null ? "" : text.Length > 64 ? text[..64] + "…" : text;
}
