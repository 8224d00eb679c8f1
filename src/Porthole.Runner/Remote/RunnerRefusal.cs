using Microsoft.Extensions.Hosting;

namespace Porthole.Runner.Remote;

/// <summary>
/// The server's refusal of this runner: its token unknown or revoked (401), or its registration refused. The first
/// reason is kept (the server's words, never the token) and the runner is stopped: nothing it sends would be taken.
/// </summary>
public sealed class RunnerRefusal(IHostApplicationLifetime lifetime)
{
    private string? _reason;

    /// <summary>Why the server refused the runner; null while it has not.</summary>
    public string? Reason => Volatile.Read(ref _reason);

    public void Refuse(string reason)
    {
        Interlocked.CompareExchange(ref _reason, reason, null);
        lifetime.StopApplication();
    }
}
