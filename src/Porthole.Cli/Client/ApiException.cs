using System.Net;

namespace Porthole.Cli.Client;

/// <summary>The server answered with an error (ProblemDetails); <see cref="Exception.Message"/> is <c>detail (code)</c>.</summary>
public sealed class ApiException : CliException
{
    public ApiException(HttpStatusCode statusCode, string? code, string message)
        : base(code is null ? message : $"{message} ({code})")
    {
        StatusCode = statusCode;
        Code = code;
    }

    public ApiException()
        : this(HttpStatusCode.InternalServerError, null, "the server answered with an error")
    {
    }

    public ApiException(string message)
        : this(HttpStatusCode.InternalServerError, null, message)
    {
    }

    public ApiException(string message, Exception innerException)
        : base(message, innerException)
    {
        StatusCode = HttpStatusCode.InternalServerError;
    }

    public HttpStatusCode StatusCode { get; }

    /// <summary>The stable code of <see cref="Contracts.Api.ErrorCodes"/>, when the server gave one.</summary>
    public string? Code { get; }
}
