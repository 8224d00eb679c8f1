using Porthole.Pipeline.Yaml;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Porthole.Pipeline.CircleCi.Compiler;

/// <summary>
/// Writes a compiled config back as YAML text, for <c>porthole config process</c>: block style, keys in their order,
/// every alias written out. A scalar keeps what it meant: one that was plain stays plain where YAML reads it back as the
/// same value (the emitter quotes it otherwise), a quoted one is written double-quoted, so a quoted <c>"true"</c> stays a
/// string, and a quoted one of several lines becomes a literal block (the emitter falls back to double quotes when a
/// literal block cannot hold it, such as trailing spaces on a line).
/// </summary>
internal static class CompiledYaml
{
    public static string Write(Node root)
    {
        using var text = new StringWriter();
        var settings = new EmitterSettings().WithBestIndent(2).WithBestWidth(int.MaxValue).WithNewLine("\n");
        var emitter = new Emitter(text, settings);
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart(null, null, true));
        Emit(emitter, root, false);
        emitter.Emit(new DocumentEnd(true));
        emitter.Emit(new StreamEnd());
        return text.ToString();
    }

    private static void Emit(IEmitter emitter, Node node, bool isKey)
    {
        switch (node)
        {
            case MapNode map:
                emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, true, MappingStyle.Block));
                foreach (var entry in map.Entries)
                {
                    Emit(emitter, entry.Key, true);
                    Emit(emitter, entry.Value, false);
                }

                emitter.Emit(new MappingEnd());
                break;
            case ListNode list:
                emitter.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, true, SequenceStyle.Block));
                foreach (var item in list.Items)
                {
                    Emit(emitter, item, false);
                }

                emitter.Emit(new SequenceEnd());
                break;
            case ScalarNode scalar:
                emitter.Emit(Scalar(scalar, isKey));
                break;
        }
    }

    private static Scalar Scalar(ScalarNode scalar, bool isKey)
    {
        var tag = scalar.Tag is null ? TagName.Empty : new TagName(scalar.Tag);

        // A plain << key would read back as a merge key; the loader has applied every merge already.
        if (scalar.IsPlain && !(isKey && scalar.Value == "<<"))
        {
            return new Scalar(AnchorName.Empty, tag, scalar.Value, ScalarStyle.Any, scalar.Tag is null, scalar.Tag is null);
        }

        var style = scalar.Value.Contains('\n', StringComparison.Ordinal) && !isKey ? ScalarStyle.Literal : ScalarStyle.DoubleQuoted;
        return new Scalar(AnchorName.Empty, tag, scalar.Value, style, false, scalar.Tag is null);
    }
}
