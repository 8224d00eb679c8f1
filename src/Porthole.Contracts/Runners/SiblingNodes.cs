namespace Porthole.Contracts.Runners;

/// <summary>
/// The other nodes of a node's attempt: how many there are, how many have finished and how many of those succeeded.
/// A CircleCI <c>deploy</c> step on node 0 waits until every other node has finished (dialects.md §A5).
/// </summary>
public sealed record SiblingNodes(int Total, int Finished, int Succeeded)
{
    public bool AllFinished => Finished >= Total;

    public bool AllSucceeded => Succeeded >= Total;
}
