using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.Travis.Matrix;

/// <summary>
/// The values a config or job has for the keys Travis's support rule looks at: its language, operating systems and
/// architectures (TY <c>matrix/support.rb</c> <c>SUPPORTING</c>). A root config may list several operating systems.
/// </summary>
internal sealed record Supporting(IReadOnlyList<string> Language, IReadOnlyList<string> Os, IReadOnlyList<string> Arch)
{
    public static Supporting Of(KeyedNodes keys) =>
        new(Values(keys.Get("language")), Values(keys.Get("os")), Values(keys.Get("arch")));

    public IReadOnlyList<string> On(string attribute) => attribute switch
    {
        "language" => Language,
        "os" => Os,
        _ => Arch,
    };

    private static IReadOnlyList<string> Values(Node? node) => node switch
    {
        ScalarNode { IsNull: false } scalar => [scalar.Value],
        ListNode list => [.. list.Items.OfType<ScalarNode>().Where(item => !item.IsNull).Select(item => item.Value)],
        _ => [],
    };
}
