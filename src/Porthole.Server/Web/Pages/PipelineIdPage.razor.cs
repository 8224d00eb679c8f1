using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Api;
using Porthole.Data;
using Porthole.Server.Pipelines;

namespace Porthole.Server.Web.Pages;

/// <summary>
/// <c>/jobs/{id}</c> given a pipeline's id (R-ID-1, decision 4: one number space): says so and lists the pipeline's
/// jobs, instead of a 404 that leaves the reader guessing (Travis's "job id, not build id").
/// </summary>
public sealed partial class PipelineIdPage
{
    [Parameter, EditorRequired]
    public PipelineView Pipeline { get; set; } = null!;

    /// <summary>Called by the job page once <c>Lookups.JobAsync</c> found that the id is a pipeline's the user can see.</summary>
    public static async Task<IResult> GetAsync(long pipelineId, PortholeDb db, Views views, CancellationToken ct)
    {
        var pipeline = await db.Pipelines.SingleAsync(p => p.Id == pipelineId, ct);
        return WebResults.Page<PipelineIdPage>(new { Pipeline = await views.PipelineAsync(db, pipeline, ct) }, StatusCodes.Status404NotFound);
    }
}
