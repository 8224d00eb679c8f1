using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.CircleCi.Compiler;

/// <summary>
/// Binds the arguments of an invocation (or the pipeline parameters given at trigger time) to the declared parameters
/// (§A1.1, §A1.2, §A0 step 2): undeclared arguments, missing required ones and type mismatches are errors; every
/// declared parameter with a value (the argument, else the default) gets its typed value node.
/// </summary>
internal static class ParameterBinder
{
    /// <summary>
    /// The values of <paramref name="declared"/> for one invocation of <paramref name="element"/> (<c>command 'say'</c>).
    /// <paramref name="arguments"/> are the invocation's entries without the keys the invocation itself uses (name,
    /// requires…); <paramref name="at"/> is the invocation, where a missing argument is reported.
    /// </summary>
    public static IReadOnlyDictionary<string, Node> Bind(
        IReadOnlyDictionary<string, ParameterDeclaration> declared,
        IReadOnlyList<MapEntry> arguments,
        Node at,
        string element,
        ErrorList errors)
    {
        var bound = new Dictionary<string, Node>(declared.Count, StringComparer.Ordinal);
        var written = new HashSet<string>(StringComparer.Ordinal);
        List<MapEntry>? unexpected = null;
        foreach (var argument in arguments)
        {
            written.Add(argument.Name);
            if (!declared.TryGetValue(argument.Name, out var declaration))
            {
                (unexpected ??= []).Add(argument);
                continue;
            }

            var what = $"argument '{argument.Name}' of {element}";
            if (ParameterTyping.Typed(declaration.Type, declaration.Enum, argument.Value, what, errors) is { } typed)
            {
                bound[argument.Name] = typed;
            }
        }

        if (unexpected is not null)
        {
            // PV's wording; one error for all of them, at the first.
            var names = string.Join(", ", unexpected.Select(argument => argument.Name));
            errors.Add(unexpected[0].Key, $"Unexpected argument(s): {names} for {element}; {Declared(declared, "it declares no parameters", "its parameters are")}");
        }

        foreach (var declaration in declared.Values)
        {
            // A written argument that failed its type check was reported; it is not also missing.
            if (written.Contains(declaration.Name))
            {
                continue;
            }

            if (declaration.Default is { } fallback)
            {
                bound[declaration.Name] = fallback;
            }
            else
            {
                errors.Add(at, $"missing required argument '{declaration.Name}' of {element}");
            }
        }

        return bound;
    }

    /// <summary>
    /// The pipeline parameters: each declared default, replaced by the text given at trigger time (API JSON
    /// <c>true</c> arrives as <c>"true"</c>; CLI <c>--param k=v</c>). <paramref name="at"/> is the top-level
    /// <c>parameters:</c> key, or the root when there is none; errors about given values are reported there.
    /// </summary>
    public static IReadOnlyDictionary<string, Node> BindPipeline(
        IReadOnlyDictionary<string, ParameterDeclaration> declared,
        IReadOnlyDictionary<string, string> given,
        Node at,
        ErrorList errors)
    {
        var bound = new Dictionary<string, Node>(declared.Count, StringComparer.Ordinal);
        var unexpected = new List<string>();
        foreach (var (name, text) in given.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            if (!declared.TryGetValue(name, out var declaration))
            {
                unexpected.Add(name);
                continue;
            }

            if (GivenValue(declaration, text, at, errors) is { } typed)
            {
                bound[name] = typed;
            }
        }

        if (unexpected.Count > 0)
        {
            errors.Add(at, $"Unexpected argument(s): {string.Join(", ", unexpected)} for the pipeline; {Declared(declared, "the config declares no pipeline parameters", "the pipeline parameters are")}");
        }

        foreach (var declaration in declared.Values)
        {
            // A pipeline parameter without a default was already reported where it is declared.
            if (!given.ContainsKey(declaration.Name) && declaration.Default is { } fallback)
            {
                bound[declaration.Name] = fallback;
            }
        }

        return bound;
    }

    private static ScalarNode? GivenValue(ParameterDeclaration declaration, string text, Node at, ErrorList errors)
    {
        var what = $"the value given for pipeline parameter '{declaration.Name}'";
        switch (declaration.Type)
        {
            case ParameterType.Boolean when ParameterTyping.BooleanText(text) is { } normalised:
                return NodeFactory.Scalar(at.Start, normalised, plain: true);
            case ParameterType.Boolean:
                errors.Add(at, $"{what} must be a boolean (true or false), found {ParameterTyping.Quote(text)}");
                return null;
            case ParameterType.Integer when ParameterTyping.IntegerText(text) is { } digits:
                return NodeFactory.Scalar(at.Start, digits, plain: true);
            case ParameterType.Integer:
                errors.Add(at, $"{what} must be an integer, found {ParameterTyping.Quote(text)}");
                return null;
            case ParameterType.Enum when !declaration.Enum.Contains(text, StringComparer.Ordinal):
                errors.Add(at, $"{what} must be one of {string.Join(", ", declaration.Enum)}; found {ParameterTyping.Quote(text)}");
                return null;
            default:
                return NodeFactory.Scalar(at.Start, text, plain: false);
        }
    }

    private static string Declared(IReadOnlyDictionary<string, ParameterDeclaration> declared, string none, string some) =>
        declared.Count == 0 ? none : $"{some} {string.Join(", ", declared.Keys.Order(StringComparer.Ordinal))}";
}
