using Porthole.Contracts.Plans;

namespace Porthole.Execution.StepHandlers;

/// <summary>Renders a cache key template on the node; a template that cannot be rendered fails the step with CircleCI's words, never an empty key.</summary>
internal static class CacheKeys
{
    public static async Task<string> RenderAsync(string template, StepScope scope)
    {
        try
        {
            var key = await KeyTemplate.Parse(template).RenderAsync(new CacheKeyValues(scope), scope.Stopping);
            if (string.IsNullOrWhiteSpace(key))
            {
                throw new StepFailedException($"The cache key '{template}' renders empty.");
            }

            return key;
        }
        catch (KeyTemplateException e)
        {
            throw new StepFailedException($"The cache key '{template}' cannot be rendered: {e.Message}");
        }
    }
}
