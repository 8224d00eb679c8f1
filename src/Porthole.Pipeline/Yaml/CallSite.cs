namespace Porthole.Pipeline.Yaml;

/// <summary>
/// One place an expanded node came through: <see cref="What"/> (<c>command 'say'</c>) invoked at <see cref="At"/>,
/// itself reached through <see cref="Outer"/>.
/// </summary>
internal sealed record CallSite(string What, Position At, CallSite? Outer)
{
    /// <summary>How many sites deep this chain is.</summary>
    public int Depth => 1 + (Outer?.Depth ?? 0);

    /// <summary>" (in command 'say' invoked at 12:7, in job 'build' invoked at 40:9)", for the end of a message.</summary>
    public string Describe(string mainFile)
    {
        var parts = new List<string>();
        for (var site = this; site is not null && parts.Count < 8; site = site.Outer)
        {
            var file = site.At.File is { } other && other != mainFile ? $"{other}:" : "";
            parts.Add($"in {site.What} invoked at {file}{site.At.Line}:{site.At.Column}");
        }

        return $" ({string.Join(", ", parts)})";
    }
}
