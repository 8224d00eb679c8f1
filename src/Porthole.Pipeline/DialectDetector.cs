using Porthole.Contracts.Plans;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline;

/// <summary>Tells a CircleCI config from a Travis one, by its path first and by its keys when the path does not say.</summary>
internal static class DialectDetector
{
    private static readonly string[] TravisKeys =
    [
        "language", "script", "install", "before_install", "before_script", "after_success", "after_failure",
        "after_script", "os", "dist", "env", "matrix", "rvm", "node_js", "python", "jdk", "php", "go", "services",
        "addons", "sudo",
    ];

    public static ConfigDialect? FromPath(string path)
    {
        var normalized = path.Replace('\\', '/');
        var fileName = normalized[(normalized.LastIndexOf('/') + 1)..];
        if (fileName.Contains("travis", StringComparison.OrdinalIgnoreCase))
        {
            return ConfigDialect.Travis;
        }

        return normalized.Contains("circleci", StringComparison.OrdinalIgnoreCase) ? ConfigDialect.CircleCi : null;
    }

    public static ConfigDialect? FromContent(MapNode root)
    {
        if (root.Has("workflows")
            || root.Get("version") is ScalarNode { Value: "2" or "2.0" or "2.1" }
            || (root.Get("jobs") is MapNode jobs && jobs.Entries.Any(job => job.Value is MapNode map && map.Has("steps"))))
        {
            return ConfigDialect.CircleCi;
        }

        return TravisKeys.Any(root.Has) ? ConfigDialect.Travis : null;
    }
}
