using Porthole.Contracts.Plans;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.CircleCi;

/// <summary>
/// <c>persist_to_workspace</c> and <c>attach_workspace</c> (§A5). A layer's paths are globs or folders relative to its
/// root, "never root itself" (CR); a path that is not under the root is an error here, where it can be seen, rather
/// than a layer that holds something else than the config says.
/// </summary>
internal static class WorkspaceStepReader
{
    private static readonly string[] PersistKeys = ["root", "paths", "name"];

    private static readonly string[] AttachKeys = ["at", "name"];

    public static StepPlan? ReadPersist(Node step, Node? arguments, string jobShell, CircleCiContext context)
    {
        if (StepArguments.Read(step, arguments, "persist_to_workspace", PersistKeys, context) is not { } args)
        {
            return null;
        }

        var complete = args.Require("root", "paths");
        var root = args.Text("root");
        var paths = args.Strings("paths", singleAllowed: false);
        foreach (var (path, at) in paths ?? [])
        {
            if (Problem(root, path) is { } problem)
            {
                context.Errors.Add(at, problem);
            }
        }

        if (!complete || root is null || paths is null)
        {
            return null;
        }

        return StepArguments.Plan(StepKind.PersistToWorkspace, args.Name(CircleCiDefaults.PersistToWorkspaceName), jobShell, StepCondition.OnSuccess) with
        {
            PersistToWorkspace = new PersistToWorkspacePlan(root, [.. paths.Select(path => path.Text)]),
        };
    }

    public static StepPlan? ReadAttach(Node step, Node? arguments, string jobShell, CircleCiContext context)
    {
        if (StepArguments.Read(step, arguments, "attach_workspace", AttachKeys, context) is not { } args)
        {
            return null;
        }

        var complete = args.Require("at");
        var at = args.Text("at");
        if (!complete || at is null)
        {
            return null;
        }

        return StepArguments.Plan(StepKind.AttachWorkspace, args.Name(CircleCiDefaults.AttachWorkspaceName), jobShell, StepCondition.OnSuccess) with
        {
            AttachWorkspace = new AttachWorkspacePlan(at),
        };
    }

    /// <summary>Why <paramref name="path"/> cannot be a path of a layer rooted at <paramref name="root"/>; null when it can (or only the node can tell).</summary>
    private static string? Problem(string? root, string path)
    {
        if (path.StartsWith('/'))
        {
            // Under a relative or ~ root only the node knows where the root is, and so whether the path is under it.
            if (root is null || !root.StartsWith('/'))
            {
                return null;
            }

            var normalRoot = Normalize(root, out _);
            var normalPath = Normalize(path, out _);
            if (normalPath == normalRoot)
            {
                return RootItself(path, root);
            }

            return normalRoot is not null && normalPath is not null && (normalRoot.Length == 0 || normalPath.StartsWith(normalRoot + "/", StringComparison.Ordinal))
                ? null
                : $"persist_to_workspace path '{path}' is not under root '{root}'; paths are relative to the root, or absolute paths under it";
        }

        var relative = Normalize(path, out var leaves);
        if (leaves)
        {
            return $"persist_to_workspace path '{path}' leaves the root with '..'; paths are relative to the root '{root ?? ""}' and stay under it";
        }

        return relative is { Length: 0 } ? RootItself(path, root ?? "") : null;
    }

    private static string RootItself(string path, string root) =>
        $"persist_to_workspace path '{path}' is the root '{root}' itself; CircleCI persists paths under the root, never the root: name the files or folders in it (a glob such as '*' works)";

    /// <summary>The path's segments joined without <c>.</c>, empty ones and the <c>..</c> they undo (no leading slash); <paramref name="leaves"/> when a <c>..</c> goes above the start.</summary>
    private static string? Normalize(string path, out bool leaves)
    {
        leaves = false;
        var segments = new List<string>();
        foreach (var segment in path.Split('/'))
        {
            switch (segment)
            {
                case "" or ".":
                    break;
                case "..":
                    if (segments.Count == 0)
                    {
                        leaves = true;
                        return null;
                    }

                    segments.RemoveAt(segments.Count - 1);
                    break;
                default:
                    segments.Add(segment);
                    break;
            }
        }

        return string.Join('/', segments);
    }
}
