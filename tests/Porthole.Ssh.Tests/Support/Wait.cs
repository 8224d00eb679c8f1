namespace Porthole.Ssh.Tests.Support;

internal static class Wait
{
    /// <summary>Polls <paramref name="condition"/> on the real clock; a test's own patience, not the code's timers.</summary>
    public static async Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(15);
        var started = TimeProvider.System.GetTimestamp();
        while (!condition())
        {
            if (TimeProvider.System.GetElapsedTime(started) > limit)
            {
                throw new TimeoutException($"Waited {limit} for {what}.");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Polls an asking <paramref name="condition"/> (a program, an engine) every 100 ms on the real clock.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(15);
        var started = TimeProvider.System.GetTimestamp();
        while (!await condition())
        {
            if (TimeProvider.System.GetElapsedTime(started) > limit)
            {
                throw new TimeoutException($"Waited {limit} for {what}.");
            }

            await Task.Delay(100);
        }
    }
}
