namespace Porthole.Execution.Shell;

/// <summary>
/// The processes a node left behind (R-SSH-9). Every process a shell node starts carries
/// <c>PORTHOLE_NODE_TAG=&lt;tag&gt;</c> in its environment, and so does whatever it starts in turn unless it clears
/// its environment; a runner that wrote a node's tag down can end that node's leftovers after a crash.
/// </summary>
public static class LeftoverProcesses
{
    /// <summary>The environment variable that carries a node's tag.</summary>
    public const string TagVariable = "PORTHOLE_NODE_TAG";

    /// <summary>How long a tagged process gets between SIGTERM and SIGKILL.</summary>
    internal static readonly TimeSpan Grace = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Ends (SIGTERM, a grace of 3 s, then SIGKILL) every process on the machine whose environment carries
    /// <c>PORTHOLE_NODE_TAG=<paramref name="tag"/></c>, never the calling process, and returns how many it ended.
    /// Only processes whose environment this user can read are seen (its own).
    /// </summary>
    /// <exception cref="ArgumentException">The tag is empty or holds a NUL or a newline.</exception>
    public static Task<int> EndTaggedAsync(string tag, TimeProvider time, CancellationToken ct)
    {
        ValidateTag(tag);
        ArgumentNullException.ThrowIfNull(time);
        return new ProcessTree(time).EndTaggedAsync(Entry(tag), Grace, ct);
    }

    internal static string Entry(string tag) => $"{TagVariable}={tag}";

    internal static void ValidateTag(string? tag, string parameterName = "tag")
    {
        if (string.IsNullOrWhiteSpace(tag) || tag.Contains('\0', StringComparison.Ordinal) || tag.Contains('\n', StringComparison.Ordinal))
        {
            throw new ArgumentException("A node tag must be a non-empty value without NUL or newline characters.", parameterName);
        }
    }
}
