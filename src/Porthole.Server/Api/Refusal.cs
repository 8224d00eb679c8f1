using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Porthole.Server.Api;

/// <summary>
/// Why a change was refused, said once for both ways in: the API answers it as ProblemDetails (<see cref="ToProblem"/>),
/// a web page shows <see cref="Detail"/> next to its form.
/// </summary>
public sealed record Refusal(int Status, string Code, string Detail)
{
    public ProblemHttpResult ToProblem() => Problems.Create(Status, Code, Detail);

    public static Refusal BadRequest(string code, string detail) => new(StatusCodes.Status400BadRequest, code, detail);

    public static Refusal NotFound(string code, string detail) => new(StatusCodes.Status404NotFound, code, detail);

    public static Refusal Conflict(string code, string detail) => new(StatusCodes.Status409Conflict, code, detail);
}
