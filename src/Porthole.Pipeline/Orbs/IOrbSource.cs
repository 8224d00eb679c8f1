namespace Porthole.Pipeline.Orbs;

/// <summary>
/// Registry orbs by reference (§A4): a local store of packaged orb sources. Looked up while a config compiles, so an
/// implementation answers from what it already holds and never waits on a network.
/// </summary>
public interface IOrbSource
{
    /// <summary>
    /// The orb that <paramref name="reference"/> resolves to: its exact version for <c>x.y.z</c>, the newest stored
    /// matching version for <c>x</c>, <c>x.y</c> and <c>volatile</c>, <c>dev:label</c> only exactly; null when the store has none.
    /// </summary>
    OrbDocument? Find(OrbReference reference);
}

/// <summary>A packaged orb's source, as <c>circleci orb source ns/name@x.y.z</c> prints it.</summary>
public sealed record OrbDocument(string Namespace, string Name, string Version, string Text)
{
    public string Reference => $"{Namespace}/{Name}@{Version}";
}
