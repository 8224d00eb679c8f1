namespace Porthole.Execution.Sandbox;

/// <summary>
/// The copies of local repositories a node's account reads (<see cref="RepositoryCopy.MirrorAsync"/>), made beside the
/// node's first steps rather than before them: only a checkout waits for its copy. Disposing ends a copy still being
/// made (its git is killed) and waits for it, so nothing writes into the node's folder once the node is gone.
/// </summary>
internal sealed class RepositoryCopies : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, Task<string>> _copies;

    public RepositoryCopies(IEnumerable<string> sources, Func<string, CancellationToken, Task<string>> copy)
    {
        _copies = sources.Distinct(StringComparer.Ordinal).ToDictionary(s => s, s => copy(s, _stop.Token), StringComparer.Ordinal);
    }

    public static RepositoryCopies None { get; } = new([], (s, _) => Task.FromResult(s));

    public bool Covers(string source) => _copies.ContainsKey(source);

    /// <summary>The copy of <paramref name="source"/> once it is made; <paramref name="source"/> itself when it has none.</summary>
    public async ValueTask<string> SourceAsync(string source, CancellationToken cancellationToken) =>
        _copies.TryGetValue(source, out var copy) ? await copy.WaitAsync(cancellationToken) : source;

    public async ValueTask DisposeAsync()
    {
        if (_copies.Count == 0)
        {
            return;
        }

        await _stop.CancelAsync();
        try
        {
            await Task.WhenAll(_copies.Values);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }
}
