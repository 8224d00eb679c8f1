using Porthole.Contracts.Runners;

namespace Porthole.Runner.Remote;

/// <summary>
/// Where a remote runner (<c>porthole runner</c>) finds its server, the runner token it signs every call with, and who
/// hears that the server accepted it. The token is a secret: it never appears in a log line, a message or
/// <see cref="ToString"/>.
/// </summary>
public sealed class RemoteRunnerOptions
{
    /// <summary>The server's address (<c>http://ci.example:8080</c>); the protocol's routes are below it.</summary>
    public required Uri Server { get; init; }

    /// <summary>The runner token (<c>prt_…</c>); the server knows the runner by the token's name.</summary>
    public required string Token { get; init; }

    /// <summary>Called once, when the server first accepts the runner's registration (not again when it registers anew).</summary>
    public Action<RunnerRegisterReply>? Registered { get; init; }

    public override string ToString() => $"RemoteRunnerOptions {{ Server = {Server}, Token = *** }}";
}
