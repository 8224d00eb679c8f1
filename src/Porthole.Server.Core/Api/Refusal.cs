using System.Net;

namespace Porthole.Server.Api;

/// <summary>
/// Why a change was refused, said once for both ways in: the API answers it as ProblemDetails (<c>ToProblem</c>, the web
/// host's <c>RefusalProblems</c>), a web page shows <see cref="Detail"/> next to its form. <see cref="Status"/> is the HTTP
/// status it is answered with.
/// </summary>
public sealed record Refusal(int Status, string Code, string Detail)
{
    public static Refusal BadRequest(string code, string detail) => new((int)HttpStatusCode.BadRequest, code, detail);

    public static Refusal NotFound(string code, string detail) => new((int)HttpStatusCode.NotFound, code, detail);

    public static Refusal Conflict(string code, string detail) => new((int)HttpStatusCode.Conflict, code, detail);
}
