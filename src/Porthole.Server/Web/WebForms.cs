using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Porthole.Server.Web;

/// <summary>
/// CSRF protection for the web's forms: every POST (PUT, DELETE) to an endpoint under <see cref="RequireFormTokens"/>
/// must carry the antiforgery token that <c>&lt;AntiforgeryToken /&gt;</c> renders into the form; without it the
/// request gets the 400 error page and the handler never runs.
/// </summary>
public static class WebForms
{
    public static TBuilder RequireFormTokens<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        // The metadata makes UseAntiforgery check every unsafe request. A handler with [FromForm] parameters is refused
        // while binding them; the filter refuses those that read no form (sign-out).
        builder.WithMetadata(new RequireAntiforgeryTokenAttribute());
        builder.AddEndpointFilter(async (context, next) =>
            context.HttpContext.Features.Get<IAntiforgeryValidationFeature>() is { IsValid: false }
                ? WebResults.Error(StatusCodes.Status400BadRequest)
                : await next(context));
        return builder;
    }
}
