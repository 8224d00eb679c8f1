using Porthole.Pipeline.Orbs;

namespace Porthole.Server.Orbs;

/// <summary>The server's registry orbs, in the data folder (§A4): what configs compiled here import by reference.</summary>
public sealed class OrbStore : IOrbSource
{
    public OrbDocument? Find(OrbReference reference) => null;
}
