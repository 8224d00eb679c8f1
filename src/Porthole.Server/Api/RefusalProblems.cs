using Microsoft.AspNetCore.Http.HttpResults;

namespace Porthole.Server.Api;

/// <summary>A core <see cref="Refusal"/> as the API answers it: ProblemDetails with its status, code and detail.</summary>
public static class RefusalProblems
{
    public static ProblemHttpResult ToProblem(this Refusal refusal)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        return Problems.Create(refusal.Status, refusal.Code, refusal.Detail);
    }
}
