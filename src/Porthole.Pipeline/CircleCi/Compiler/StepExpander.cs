using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.CircleCi.Compiler;

/// <summary>
/// Flattens a steps list (§A0 step 6, §A1.3, §A3): a command invocation becomes the command's steps with its own
/// parameters bound and substituted, a <c>when</c>/<c>unless</c> step becomes its steps or nothing, a spliced
/// <c>steps</c> parameter becomes its steps. Built-in steps pass through for the step reader. Commands are looked up
/// before built-ins, since a user command may shadow one (RC "Special keys").
/// </summary>
internal sealed class StepExpander(CompileSession session)
{
    /// <summary>Commands invoking commands deeper than this are refused (a recursion the name check cannot see is impossible, but a chain can be long).</summary>
    private const int MaxDepth = 50;

    private readonly List<Element> _stack = [];

    /// <summary>The steps of <paramref name="steps"/> expanded, looking commands up from <paramref name="scope"/>.</summary>
    public List<Node> Expand(ListNode steps, Namespace scope)
    {
        var expanded = new List<Node>(steps.Items.Count);
        foreach (var item in steps.Items)
        {
            if (session.Budget.IsExhausted)
            {
                break;
            }

            ExpandOne(item, scope, expanded);
        }

        return expanded;
    }

    private void ExpandOne(Node item, Namespace scope, List<Node> into)
    {
        string type;
        Node? arguments;
        switch (item)
        {
            case ScalarNode { IsNull: false } scalar:
                type = scalar.Value;
                arguments = null;
                break;
            case MapNode { Entries.Count: 1 } map:
                type = map.Entries[0].Name;
                arguments = map.Entries[0].Value is ScalarNode { IsNull: true } ? null : map.Entries[0].Value;
                break;
            default:
                // The step reader says what is wrong with it.
                into.Add(item);
                return;
        }

        var command = scope.Find(ElementKind.Command, type, out var problem);
        if (command is not null)
        {
            Invoke(command, item, arguments, into);
            return;
        }

        if (problem is not null)
        {
            if (problem != Namespace.Reported)
            {
                session.Errors.Add(item, problem);
            }

            return;
        }

        switch (type)
        {
            case "when" or "unless":
                Condition(type, item, arguments, scope, into);
                return;
            case "steps":
                Splice(item, arguments, scope, into);
                return;
            default:
                into.Add(item);
                return;
        }
    }

    private void Invoke(Element command, Node item, Node? arguments, List<Node> into)
    {
        var errors = session.Errors;
        if (_stack.Contains(command))
        {
            var chain = _stack.SkipWhile(c => c != command).Append(command).Select(c => c.Owner.Qualify(c.Name));
            errors.Add(item, $"{command.Label} invokes itself: {string.Join(" → ", chain)}");
            return;
        }

        if (_stack.Count >= MaxDepth)
        {
            errors.Add(item, $"commands invoke commands more than {MaxDepth} deep here");
            return;
        }

        var body = command.Body(errors);
        if (body is null)
        {
            return;
        }

        IReadOnlyList<MapEntry> given = [];
        if (arguments is MapNode map)
        {
            given = map.Entries;
        }
        else if (arguments is not null)
        {
            errors.Add(arguments, $"the arguments of {command.Label} must be a map of parameter names to values, found {arguments.Describe()}");
            return;
        }

        var declared = session.Declarations(command, body);
        var bound = session.Bind(command, declared, given, item);
        var via = new CallSite(command.Label, item.Start, item.Via);
        if (!body.TryGet("steps", out var stepsEntry))
        {
            errors.Add(command.Definition.Key, $"{command.Label} has no steps");
            return;
        }

        foreach (var key in body.Entries.Where(e => e.Name is not ("steps" or "parameters" or "description")))
        {
            errors.Add(key.Key, $"unknown key '{key.Name}' in {command.Label}; a command holds steps, parameters and description");
        }

        var scope = session.ScopeOf(command, bound);
        var substituted = Template.Substitute(stepsEntry.Value, scope, via, errors, session.Budget);
        if (Expect.List(substituted, $"the steps of {command.Label}", errors) is not { } steps)
        {
            return;
        }

        _stack.Add(command);
        into.AddRange(Expand(steps, command.Owner));
        _stack.RemoveAt(_stack.Count - 1);
    }

    /// <summary>§A3: <c>when: {condition, steps}</c> runs its steps when the condition is truthy, <c>unless</c> when it is not.</summary>
    private void Condition(string type, Node item, Node? arguments, Namespace scope, List<Node> into)
    {
        var errors = session.Errors;
        if (arguments is null || Expect.Map(arguments, $"a {type} step", errors) is not { } map)
        {
            if (arguments is null)
            {
                errors.Add(item, $"a {type} step needs condition: and steps:");
            }

            return;
        }

        foreach (var key in map.Entries.Where(e => e.Name is not ("condition" or "steps")))
        {
            errors.Add(key.Key, $"unknown key '{key.Name}' in a {type} step; it holds condition and steps");
        }

        if (!map.TryGet("condition", out var condition))
        {
            errors.Add(item, $"a {type} step needs a condition:");
            return;
        }

        if (!map.TryGet("steps", out var steps) || Expect.List(steps.Value, $"the steps of a {type} step", errors) is not { } list)
        {
            if (!map.Has("steps"))
            {
                errors.Add(item, $"a {type} step needs steps:");
            }

            return;
        }

        var holds = Logic.Evaluate(condition.Value, errors);
        if (holds == (type == "when"))
        {
            into.AddRange(Expand(list, scope));
        }
    }

    /// <summary><c>- steps: &lt;&lt; parameters.s &gt;&gt;</c>, already substituted into a list, is spliced in place (RC "Steps").</summary>
    private void Splice(Node item, Node? arguments, Namespace scope, List<Node> into)
    {
        switch (arguments)
        {
            case ListNode list:
                into.AddRange(Expand(list, scope));
                break;
            case null:
                break;
            default:
                session.Errors.Add(arguments, $"steps: splices a list of steps here, found {arguments.Describe()}");
                break;
        }

        _ = item;
    }
}
