using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Porthole.Contracts.Api;
using Porthole.Pipeline.Orbs;
using Porthole.Server.Accounts;
using Porthole.Server.Api;

namespace Porthole.Server.Orbs;

/// <summary>
/// The orb store (§A4): any signed-in user lists orbs and reads their sources; an administrator imports one (its YAML as the
/// body) or fetches one from CircleCI's registry.
/// </summary>
public static class OrbsApi
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static RouteGroupBuilder MapOrbsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/orbs").RequireAuthorization().WithTags("Orbs");
        group.MapGet("/", List);
        group.MapGet("/{ns}/{name}/{version}", Source);
        group.MapPut("/{ns}/{name}/{version}", ImportAsync);
        group.MapPost("/fetch", FetchAsync);
        return group;
    }

    private static Ok<List<OrbView>> List(OrbStore store) => TypedResults.Ok(store.List().Select(View).ToList());

    /// <summary>The stored source, as YAML; a range resolves to the newest stored version, which the answer's header names.</summary>
    private static Results<ContentHttpResult, ProblemHttpResult> Source(string ns, string name, string version, OrbStore store, HttpContext http)
    {
        if (Parse(ns, name, version) is not { } reference)
        {
            return BadReference(ns, name, version);
        }

        if (store.Find(reference) is not { } orb)
        {
            return Problems.NotFound(
                OrbErrorCodes.OrbNotFound,
                $"orb {reference} is not in the orb store; an administrator adds it with 'porthole orb fetch {reference}' or 'porthole orb import FILE {reference.Namespace}/{reference.Name}@X.Y.Z'.");
        }

        http.Response.Headers[OrbHeaders.Reference] = orb.Reference;
        return TypedResults.Text(orb.Text, "application/yaml; charset=utf-8", Encoding.UTF8);
    }

    /// <summary>Stores the body (the orb's YAML source, UTF-8) at an exact version; <c>?force=true</c> replaces another source.</summary>
    private static async Task<Results<Created<OrbStored>, Ok<OrbStored>, ProblemHttpResult>> ImportAsync(
        string ns, string name, string version, OrbStore store, HttpContext http, CancellationToken ct, bool force = false)
    {
        if (!CurrentUser.From(http.User).IsAdmin)
        {
            return Problems.Forbidden("Only an administrator can add orbs to the server's orb store.");
        }

        if (Parse(ns, name, version) is not { } reference)
        {
            return BadReference(ns, name, version);
        }

        var (text, refusal) = await ReadSourceAsync(http.Request, ct);
        if (text is null)
        {
            return refusal!;
        }

        var (stored, problem) = store.Import(reference, text, force);
        return stored is null ? problem!.ToProblem() : Answer(stored, reference);
    }

    /// <summary>Fetches <c>{"reference": "ns/name@version"}</c> from CircleCI's registry and stores it at its exact version.</summary>
    private static async Task<Results<Created<OrbStored>, Ok<OrbStored>, ProblemHttpResult>> FetchAsync(
        OrbFetchRequest? request, OrbStore store, OrbRegistryClient registry, HttpContext http, CancellationToken ct)
    {
        if (!CurrentUser.From(http.User).IsAdmin)
        {
            return Problems.Forbidden("Only an administrator can add orbs to the server's orb store.");
        }

        if (request?.Reference is not { } text)
        {
            return Problems.BadRequest(ErrorCodes.InvalidRequest, "Name the orb to fetch: {\"reference\": \"circleci/node@5.2.0\"} (a version, or a range such as @5, @5.2 or @volatile).");
        }

        if (!OrbReference.TryParse(text.Trim(), out var reference, out var problem))
        {
            return Problems.BadRequest(ErrorCodes.InvalidRequest, Lookups.Shorten(problem) + ".");
        }

        var (orb, refusal) = await registry.FetchAsync(reference, ct);
        if (orb is null)
        {
            return refusal!.ToProblem();
        }

        var exact = new OrbReference(orb.Namespace, orb.Name, orb.Version);
        var (stored, conflict) = store.Import(exact, orb.Text, request.Force);
        return stored is null ? conflict!.ToProblem() : Answer(stored, reference);
    }

    private static Results<Created<OrbStored>, Ok<OrbStored>, ProblemHttpResult> Answer(StoredOrb stored, OrbReference requested)
    {
        var view = new OrbStored(View(stored.Orb), stored.Outcome, requested.ToString());
        var location = "/api/orbs/" + string.Join('/', new[] { view.Orb.Namespace, view.Orb.Name, view.Orb.Version }.Select(Uri.EscapeDataString));
        return stored.Outcome == OrbOutcomes.Unchanged ? TypedResults.Ok(view) : TypedResults.Created(location, view);
    }

    /// <summary>The request's body as UTF-8 text, read no further than the size an orb may have.</summary>
    private static async Task<(string? Text, ProblemHttpResult? Refusal)> ReadSourceAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > OrbSourceText.MaxBytes)
        {
            return (null, TooLarge());
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > OrbSourceText.MaxBytes)
            {
                return (null, TooLarge());
            }

            buffer.Write(chunk, 0, read);
        }

        if (buffer.Length == 0)
        {
            return (null, Problems.BadRequest(OrbErrorCodes.OrbInvalid, "Send the orb's YAML source as the request's body (as 'circleci orb source ns/name@x.y.z' prints it); the body is empty."));
        }

        try
        {
            return (StrictUtf8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length), null);
        }
        catch (DecoderFallbackException)
        {
            return (null, Problems.BadRequest(OrbErrorCodes.OrbInvalid, "that is not an orb's source: the body is not UTF-8 text."));
        }
    }

    private static ProblemHttpResult TooLarge() => Problems.Create(
        StatusCodes.Status413PayloadTooLarge, OrbErrorCodes.OrbInvalid, $"An orb's source may be at most {OrbSourceText.MaxBytesText}; this one is larger.");

    private static OrbReference? Parse(string ns, string name, string version) =>
        OrbReference.TryParse($"{ns}/{name}@{version}", out var reference, out _) ? reference : null;

    private static ProblemHttpResult BadReference(string ns, string name, string version) => Problems.BadRequest(
        ErrorCodes.InvalidRequest,
        $"'{Lookups.Shorten($"{ns}/{name}@{version}")}' is not an orb reference: use /api/orbs/NAMESPACE/NAME/VERSION with a version such as 5.2.0, 5.2, 5, volatile or dev:label (lower-case names).");

    private static OrbView View(OrbDocumentInfo orb) => new(orb.Namespace, orb.Name, orb.Version, orb.Reference, orb.Size, orb.ImportedAt);
}
