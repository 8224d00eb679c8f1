namespace Porthole.Pipeline.Yaml;

/// <summary>A key and its value. Entries that came from a merge key keep the position of their source.</summary>
internal sealed record MapEntry(ScalarNode Key, Node Value)
{
    public string Name => Key.Value;
}
