using Porthole.Pipeline.Orbs;

namespace Porthole.Pipeline.Tests.Orbs;

/// <summary>An orb store folder of the test's own, written file by file and removed at the end.</summary>
internal sealed class OrbFolder : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("porthole-orbs-").FullName;

    public DirectoryOrbSource Source => new(Root);

    /// <summary>Writes <c>ns/name/FILE</c> (the store's own file name for <paramref name="version"/>) and returns its path.</summary>
    public string Add(string ns, string name, string version, string? text = null)
    {
        var path = Path.Combine(Root, ns, name, OrbFileNames.Of(version) ?? throw new ArgumentException($"{version} is not exact", nameof(version)));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text ?? $"version: 2.1\ndescription: {ns}/{name} {version}\n");
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
