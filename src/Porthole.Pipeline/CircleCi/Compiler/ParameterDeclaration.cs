using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.CircleCi.Compiler;

/// <summary>
/// One parameter a job, command, executor or the pipeline declares (§A1.1). <see cref="Default"/> is already typed
/// as an argument would be (a quoted string, a plain <c>true</c>, a list of steps) when it passed its type check;
/// without one the parameter is required. <see cref="Key"/> is where the parameter is named, for messages.
/// </summary>
internal sealed record ParameterDeclaration(string Name, ParameterType Type, Node? Default, IReadOnlyList<string> Enum, ScalarNode Key)
{
    public bool IsRequired => Default is null;
}
