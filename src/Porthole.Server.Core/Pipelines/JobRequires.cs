namespace Porthole.Server.Pipelines;

/// <summary>A job's required job names as stored (one per line).</summary>
public static class JobRequires
{
    public static string Format(IEnumerable<string> names) => string.Join('\n', names);

    public static IReadOnlyList<string> Parse(string stored) =>
        stored.Length == 0 ? [] : stored.Split('\n');
}
