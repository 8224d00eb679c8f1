using Porthole.Contracts.Plans;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.CircleCi;

/// <summary>
/// <c>save_cache</c> and <c>restore_cache</c> (§A5), and their hyphenated spellings, which CircleCI 2.0 read (babel's
/// config still writes <c>restore-cache</c>): planned the same, with a warning naming the current spelling (§14.4).
/// </summary>
internal static class CacheStepReader
{
    private static readonly string[] SaveKeys = ["key", "paths", "name", "when"];

    private static readonly string[] RestoreKeys = ["key", "keys", "name"];

    public static StepPlan? ReadSave(Node step, Node? arguments, string type, string jobShell, CircleCiContext context)
    {
        WarnOldSpelling(step, type, "save_cache", context);
        if (StepArguments.Read(step, arguments, type, SaveKeys, context) is not { } args)
        {
            return null;
        }

        var complete = args.Require("key", "paths");
        var key = args.Text("key") is { } text ? CacheKeys.Check(text, args.Get("key")!, context.Errors) : null;
        var paths = args.Strings("paths", singleAllowed: true);
        foreach (var (path, at) in paths ?? [])
        {
            // CR: "paths: List of directories which should be added to the cache" — no globbing, unlike a workspace's.
            if (path.IndexOf('*', StringComparison.Ordinal) is var star and >= 0)
            {
                var position = at is ScalarNode scalar ? scalar.PositionOf(star) : at.Start;
                context.Errors.Add(position, $"save_cache paths have no wildcards: '{path}' would be a file named with a '*'; name the files or folders to cache");
            }
        }

        var when = args.Get("when") is { } whenNode ? RunStepReader.ReadWhen(whenNode, context) : StepCondition.OnSuccess;
        if (!complete || key is null || paths is null)
        {
            return null;
        }

        return StepArguments.Plan(StepKind.SaveCache, args.Name(CircleCiDefaults.SaveCacheName), jobShell, when) with
        {
            SaveCache = new SaveCachePlan(key, [.. paths.Select(path => path.Text)]),
        };
    }

    public static StepPlan? ReadRestore(Node step, Node? arguments, string type, string jobShell, CircleCiContext context)
    {
        WarnOldSpelling(step, type, "restore_cache", context);
        if (StepArguments.Read(step, arguments, type, RestoreKeys, context) is not { } args)
        {
            return null;
        }

        if (args.Get("key") is null && args.Get("keys") is null)
        {
            context.Errors.Add(step, $"{type} needs key or keys");
            return null;
        }

        // CR: "key is checked before keys"; each is tried in order as a prefix of the saved keys. A key in error
        // leaves the config invalid, so the step planned without it is never run.
        var keys = new List<string>();
        if (args.Text("key") is { } key && CacheKeys.Check(key, args.Get("key")!, context.Errors) is { } checkedKey)
        {
            keys.Add(checkedKey);
        }

        foreach (var (text, at) in args.Strings("keys", singleAllowed: false) ?? [])
        {
            if (CacheKeys.Check(text, at, context.Errors) is { } listed)
            {
                keys.Add(listed);
            }
        }

        var name = args.Name(CircleCiDefaults.RestoreCacheName);
        return keys.Count == 0
            ? null
            : StepArguments.Plan(StepKind.RestoreCache, name, jobShell, StepCondition.OnSuccess) with { RestoreCache = new RestoreCachePlan(keys) };
    }

    private static void WarnOldSpelling(Node step, string type, string current, CircleCiContext context)
    {
        if (type != current)
        {
            context.Errors.Warn(step, $"'{type}' is the old spelling of '{current}'");
        }
    }
}
