using Porthole.Contracts.Plans;

namespace Porthole.Pipeline.Tests.Support;

/// <summary>Reads configs written as lines, so a test can say exactly which line an error is on.</summary>
internal static class Configs
{
    public const string CirclePath = ".circleci/config.yml";

    public const string TravisPath = ".travis.yml";

    public static string Lines(params string[] lines) => string.Join("\n", lines) + "\n";

    public static ConfigResult ReadCircle(params string[] lines) => ConfigReader.Read(CirclePath, Lines(lines));

    public static ConfigResult ReadTravis(params string[] lines) => ConfigReader.Read(TravisPath, Lines(lines));

    public static PipelinePlan Planned(ConfigResult result)
    {
        Assert.True(result.IsValid, "expected a plan, got:\n" + string.Join("\n", result.Errors));
        return result.Plan!;
    }

    public static JobPlan OnlyJob(ConfigResult result)
    {
        var plan = Planned(result);
        var workflow = Assert.Single(plan.Workflows);
        return Assert.Single(workflow.Jobs);
    }

    /// <summary>Asserts the result is refused with an error at exactly this line and column whose message contains <paramref name="message"/>.</summary>
    public static ConfigError ErrorAt(ConfigResult result, int line, int column, string message, string? feature = null)
    {
        Assert.False(result.IsValid);
        Assert.Null(result.Plan);
        var error = result.Errors.FirstOrDefault(e => e.Line == line && e.Column == column && e.Message.Contains(message, StringComparison.Ordinal));
        Assert.True(error is not null, $"no error '{message}' at {line}:{column}; errors:\n" + string.Join("\n", result.Errors));
        if (feature is not null)
        {
            Assert.Equal(feature, error.Feature);
        }

        return error;
    }

    /// <summary>Asserts the only error is the given one.</summary>
    public static ConfigError OnlyError(ConfigResult result, int line, int column, string message, string? feature = null)
    {
        var error = ErrorAt(result, line, column, message, feature);
        Assert.True(result.Errors.Count == 1, "expected one error, got:\n" + string.Join("\n", result.Errors));
        return error;
    }
}
