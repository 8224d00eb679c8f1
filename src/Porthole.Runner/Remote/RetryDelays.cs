namespace Porthole.Runner.Remote;

/// <summary>How long a remote runner waits before calling the server again after a failure: 200 ms, 1 s, 3 s, then every 5 s.</summary>
public static class RetryDelays
{
    /// <summary>The longest a server's <c>Retry-After</c> is honoured for; past it the runner asks again anyway.</summary>
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(30);

    /// <summary>The wait after <paramref name="failures"/> failed calls in a row (0: after the first).</summary>
    public static TimeSpan After(int failures) => failures switch
    {
        <= 0 => TimeSpan.FromMilliseconds(200),
        1 => TimeSpan.FromSeconds(1),
        2 => TimeSpan.FromSeconds(3),
        _ => TimeSpan.FromSeconds(5),
    };
}
