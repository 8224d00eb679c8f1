using Porthole.Pipeline;
using Porthole.Server.Demo;

namespace Porthole.Server.Tests;

public sealed class DemoProjectTests
{
    [Fact]
    public void The_demo_config_plans_three_jobs_one_parallel_one_failing()
    {
        var result = ConfigReader.Read(".circleci/config.yml", DemoProject.Config);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var jobs = result.Plan!.Workflows.Single().Jobs;
        Assert.Equal(["build", "test", "lint"], jobs.Select(j => j.Name));
        Assert.Equal(2, jobs.Single(j => j.Name == "test").Parallelism);
        Assert.Contains(jobs.Single(j => j.Name == "lint").Steps, s => s.Command?.Contains("exit 1", StringComparison.Ordinal) == true);
    }
}
