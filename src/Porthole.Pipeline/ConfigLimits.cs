namespace Porthole.Pipeline;

/// <summary>
/// Bounds that keep a hostile or broken config from exhausting the process. Real configs are far below
/// them: the largest in the corpus is 20 KiB, 14 levels deep and a few thousand nodes.
/// </summary>
internal static class ConfigLimits
{
    /// <summary>CircleCI refuses configs above 3 MiB; Porthole uses the same cap for both dialects.</summary>
    public const int MaxBytes = 3 * 1024 * 1024;

    public const string MaxBytesText = "3 MiB";

    /// <summary>
    /// Nesting beyond this is refused while parsing: YamlDotNet's scanner slows down quadratically with flow
    /// depth, and every reader after the loader recurses over the tree.
    /// </summary>
    public const int MaxDepth = 200;

    /// <summary>Nodes after expanding aliases and merge keys, counting every use; stops alias bombs.</summary>
    public const long MaxNodes = 1_000_000;
}
