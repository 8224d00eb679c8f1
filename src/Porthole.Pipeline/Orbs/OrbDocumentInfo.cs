namespace Porthole.Pipeline.Orbs;

/// <summary>One orb version an orb store holds, as <c>porthole orb list</c> shows it: no source text, its size and when it was stored.</summary>
public sealed record OrbDocumentInfo(string Namespace, string Name, string Version, long Size, DateTimeOffset ImportedAt)
{
    public string Reference => $"{Namespace}/{Name}@{Version}";
}
