namespace Porthole.Execution;

/// <summary>
/// How to run one node. <paramref name="WorkspaceRoot"/> is a fresh, empty folder for this node that the caller
/// owns (and deletes after the node); <paramref name="DefaultNoOutputTimeout"/> applies to steps that set none (10 min).
/// </summary>
public sealed record NodeRunOptions(string WorkspaceRoot, TimeSpan DefaultNoOutputTimeout);
