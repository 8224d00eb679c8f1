using Porthole.Testing;
using Porthole.Pipeline.CircleCi.Compiler;
using Porthole.Pipeline.Yaml;
using static Porthole.Pipeline.Tests.Support.Configs;

namespace Porthole.Pipeline.Tests.CircleCi.Compiler;

/// <summary>The YAML <c>porthole config process</c> prints: it must read back as the tree it was written from.</summary>
public sealed class CompiledYamlTests
{

    public static TheoryData<string> CircleCiCorpus()
    {
        var files = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(CorpusFolder.Root, "circleci"), "*.yml").Order(StringComparer.Ordinal))
        {
            files.Add(Path.GetFileName(file));
        }

        return files;
    }

    [Fact]
    public void The_corpus_has_its_twenty_CircleCI_files()
    {
        Assert.Equal(20, CircleCiCorpus().Count);
    }

    [Theory]
    [MemberData(nameof(CircleCiCorpus))]
    public void Every_corpus_file_written_out_loads_back_to_an_equal_tree(string file)
    {
        var original = Load(File.ReadAllText(Path.Combine(CorpusFolder.Root, "circleci", file)));

        var written = CompiledYaml.Write(original);

        AssertSameTree(original, Load(written), "");
        Assert.Equal(written, CompiledYaml.Write(Load(written)));
    }

    [Fact]
    public void A_quoted_true_stays_a_string_and_plain_values_stay_plain()
    {
        var written = CompiledYaml.Write(Load(Lines(
            "a: \"true\"",
            "b: true",
            "c: '42'",
            "d: 42",
            "e: 'main'",
            "f: ~",
            "g: \"\"",
            "h: '2.1'")));

        Assert.Equal(Lines("a: \"true\"", "b: true", "c: \"42\"", "d: 42", "e: \"main\"", "f: ~", "g: \"\"", "h: \"2.1\""), written);
    }

    [Fact]
    public void A_multi_line_command_is_written_as_a_literal_block()
    {
        var root = Load(Lines(
            "steps:",
            "  - run:",
            "      command: |",
            "        echo one",
            "        echo \"two\"",
            "  - run: \"printf 'a\\nb'\""));

        var written = CompiledYaml.Write(root);

        Assert.Equal(Lines(
            "steps:",
            "- run:",
            "    command: |",
            "      echo one",
            "      echo \"two\"",
            "- run: |-",
            "    printf 'a",
            "    b'"), written);
        AssertSameTree(root, Load(written), "");
    }

    [Fact]
    public void A_plain_value_yaml_could_not_read_back_plain_is_quoted_by_the_emitter()
    {
        var root = NodeFactory.Map(Position.Start, [
            NodeFactory.Entry(Position.Start, "a", NodeFactory.Scalar(Position.Start, "x: y", plain: true)),
            NodeFactory.Entry(Position.Start, "b", NodeFactory.Scalar(Position.Start, "- item", plain: true)),
            NodeFactory.Entry(Position.Start, "<<", NodeFactory.Scalar(Position.Start, "not a merge", plain: true)),
        ]);

        var reloaded = (MapNode)Load(CompiledYaml.Write(root));

        Assert.Equal(["x: y", "- item", "not a merge"], reloaded.Entries.Select(e => ((ScalarNode)e.Value).Value));
        Assert.Equal(["a", "b", "<<"], reloaded.Entries.Select(e => e.Name));
    }

    [Fact]
    public void Aliases_are_written_out_and_empty_collections_stay_empty()
    {
        var written = CompiledYaml.Write(Load(Lines("x: &x {a: [1, 2]}", "y: *x", "z: []", "w: {}")));

        Assert.Equal(Lines("x:", "  a:", "  - 1", "  - 2", "y:", "  a:", "  - 1", "  - 2", "z: []", "w: {}"), written);
    }

    [Fact]
    public void A_long_line_is_not_folded()
    {
        var command = string.Join(" && ", Enumerable.Repeat("echo something rather long", 20));

        var written = CompiledYaml.Write(Load($"run: {command}\n"));

        Assert.Equal($"run: {command}\n", written);
    }

    private static void AssertSameTree(Node expected, Node actual, string path)
    {
        switch (expected, actual)
        {
            case (MapNode a, MapNode b):
                Assert.True(a.Entries.Select(e => e.Name).SequenceEqual(b.Entries.Select(e => e.Name)), $"keys differ at {path}");
                foreach (var (x, y) in a.Entries.Zip(b.Entries))
                {
                    AssertSameTree(x.Value, y.Value, $"{path}/{x.Name}");
                }

                break;
            case (ListNode a, ListNode b):
                Assert.True(a.Items.Count == b.Items.Count, $"list lengths differ at {path}");
                for (var i = 0; i < a.Items.Count; i++)
                {
                    AssertSameTree(a.Items[i], b.Items[i], $"{path}[{i}]");
                }

                break;
            case (ScalarNode a, ScalarNode b):
                Assert.True(a.Value == b.Value, $"text differs at {path}: '{a.Value}' became '{b.Value}'");
                Assert.True(a.Tag == b.Tag, $"tag differs at {path}");
                Assert.True(Meaning(a) == Meaning(b), $"meaning differs at {path}: '{a.Value}' plain {a.IsPlain} became plain {b.IsPlain}");
                break;
            default:
                Assert.Fail($"{expected.Describe()} became {actual.Describe()} at {path}");
                break;
        }
    }

    /// <summary>
    /// What a scalar reads as: a plain one may be null, a boolean or a number; a quoted or block one, or a plain one of
    /// several lines, is always a string, so which of those forms it takes does not matter.
    /// </summary>
    private static string Meaning(ScalarNode scalar) =>
        scalar.IsPlain && !scalar.Value.Contains('\n', StringComparison.Ordinal) ? "plain" : "string";

    private static Node Load(string text)
    {
        var errors = new ErrorList("config.yml");
        var node = YamlLoader.Load(text, errors);
        Assert.True(errors.Count == 0, string.Join("\n", errors.ToList()));
        return node!;
    }
}
