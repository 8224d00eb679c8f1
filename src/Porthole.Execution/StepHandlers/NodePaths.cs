namespace Porthole.Execution.StepHandlers;

/// <summary>A step's path (<c>~/x</c>, <c>/abs</c>, <c>rel</c>) as the node has it, or the step's failure saying why not.</summary>
internal static class NodePaths
{
    public static string Resolve(StepScope scope, string path)
    {
        try
        {
            return scope.Node.ResolveDirectory(path, scope.JobDirectory);
        }
        catch (ArgumentException e)
        {
            throw new StepFailedException($"'{path}': {e.Message}");
        }
    }
}
