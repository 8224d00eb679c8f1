namespace Porthole.Execution.Tests.Docker;

/// <summary>The docker tests share one engine on a 2-core machine: they run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class DockerCollection
{
    public const string Name = "docker";
}
