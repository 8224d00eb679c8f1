using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.CircleCi.Compiler;

/// <summary>
/// Bounds the nodes a compilation may create (commands inlining commands can grow a small file exponentially, as an
/// alias bomb does). Reports the first overrun once, at the node that made it; false from then on.
/// </summary>
internal sealed class ExpansionBudget(ErrorList errors, long maxNodes = ConfigLimits.MaxNodes)
{
    private long _spent;

    public bool IsExhausted { get; private set; }

    public bool Spend(long nodes, Node at)
    {
        if (IsExhausted)
        {
            return false;
        }

        _spent += nodes;
        if (_spent > maxNodes)
        {
            IsExhausted = true;
            errors.Add(at, $"the config expands to more than {maxNodes} nodes once its commands, jobs and parameters are expanded");
        }

        return !IsExhausted;
    }
}
