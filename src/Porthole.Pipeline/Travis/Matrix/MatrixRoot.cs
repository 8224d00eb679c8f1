using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.Travis.Matrix;

/// <summary>
/// The root of a Travis config as the matrix reads it (§B9): its keys normalized, with Travis's defaults for
/// <c>language</c>, <c>os</c> and <c>dist</c>; the matrix keys it supports and their values; the keys every job inherits;
/// and its env, jobs and stages sections.
/// </summary>
internal sealed class MatrixRoot
{
    private MatrixRoot(MapNode node, KeyedNodes keys, EnvSection env, JobsSection jobs, IReadOnlyList<StageEntry> stages, IReadOnlyList<MatrixAxis> axes)
    {
        Node = node;
        Keys = keys;
        Env = env;
        Jobs = jobs;
        Stages = stages;
        Axes = axes;
        Shared = keys.Where(entry => MatrixKeys.IsShared(entry.Name) && !IsBlank(entry.Value));
        Global = new KeyedNodes();
        foreach (var axis in axes.Where(axis => axis.Name != MatrixKeys.Env))
        {
            Global.Set(new MapEntry(axis.Key.Key, axis.Values[0]));
        }
    }

    public MapNode Node { get; }

    public KeyedNodes Keys { get; }

    public EnvSection Env { get; }

    public JobsSection Jobs { get; }

    public IReadOnlyList<StageEntry> Stages { get; }

    /// <summary>The supported matrix keys in Travis's order, <c>env</c> last; each has at least one value.</summary>
    public IReadOnlyList<MatrixAxis> Axes { get; }

    /// <summary>The root keys every job inherits (§B9 step 4).</summary>
    public KeyedNodes Shared { get; }

    /// <summary>The first value of every axis but env, which every job inherits (§B9 step 5).</summary>
    public KeyedNodes Global { get; }

    public static MatrixRoot Read(MapNode root, ErrorList errors)
    {
        var keys = EntryReader.Read(root, errors);
        AddDefaults(keys, root);
        var env = EnvSection.Read(keys.Get(MatrixKeys.Env), errors);
        var jobs = JobsSection.Read(keys.Get("jobs"), errors);
        var stages = StageEntry.ReadAll(keys.Get("stages"), errors);
        var supporting = Supporting.Of(keys);
        var axes = new List<MatrixAxis>();
        foreach (var key in MatrixKeys.Expand)
        {
            if (key == MatrixKeys.Env)
            {
                if (env.Present)
                {
                    // With only env.global, env is still an axis of one value that gives no variables, as in travis-yml.
                    var at = keys.Entry(MatrixKeys.Env)!;
                    axes.Add(new(at, env.Jobs.Count > 0 ? env.Jobs : [NodeFactory.Scalar(at.Value.Start, "", plain: true)]));
                }
            }
            else if (keys.Entry(key) is { } entry && !IsBlank(entry.Value) && MatrixSupport.KeySupported(key, supporting)
                && Values(entry, errors) is { Count: > 0 } values)
            {
                axes.Add(new(entry, values));
            }
        }

        return new(root, keys, env, jobs, stages, axes);
    }

    /// <summary>Ruby's <c>blank?</c> as travis-yml uses it: nothing, an empty string, list or map.</summary>
    public static bool IsBlank(Node node) => node switch
    {
        ScalarNode scalar => scalar.IsNull || scalar.Value.Length == 0,
        ListNode list => list.Items.Count == 0,
        MapNode map => map.Entries.Count == 0,
        _ => true,
    };

    /// <summary>TY <c>schema/def/root.rb</c> defaults: ruby (objective-c when every os is osx), linux (osx for objective-c), focal on linux.</summary>
    private static void AddDefaults(KeyedNodes keys, MapNode root)
    {
        if (!keys.Has("language"))
        {
            var os = Supporting.Of(keys).Os;
            keys.Set(Default(root, "language", os.Count > 0 && os.All(name => name == "osx") ? "objective-c" : TravisLanguages.Default));
        }

        if (!keys.Has("os"))
        {
            keys.Set(Default(root, "os", Supporting.Of(keys).Language.Contains("objective-c") ? "osx" : "linux"));
        }

        if (!keys.Has("dist") && Supporting.Of(keys).Os.Any(name => name is "linux" or "linux-ppc64le"))
        {
            keys.Set(Default(root, "dist", "focal"));
        }
    }

    private static MapEntry Default(MapNode root, string key, string value) =>
        NodeFactory.Entry(root.Start, key, NodeFactory.Scalar(root.Start, value, plain: true));

    private static List<Node> Values(MapEntry entry, ErrorList errors)
    {
        var values = new List<Node>();
        foreach (var item in entry.Value is ListNode list ? list.Items : [entry.Value])
        {
            switch (item)
            {
                case ScalarNode { IsNull: true }:
                    break;
                case ScalarNode:
                    values.Add(item);
                    break;
                case MapNode when entry.Name == "dart_task":
                    values.Add(item);
                    break;
                default:
                    errors.Add(item, $"each value of {entry.Name} must be a version or a name, found {item.Describe()}");
                    break;
            }
        }

        return values;
    }
}
