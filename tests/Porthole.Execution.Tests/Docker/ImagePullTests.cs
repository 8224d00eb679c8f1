using Docker.DotNet;
using Docker.DotNet.Models;
using Porthole.Contracts.Plans;
using ContainerSpec = Porthole.Contracts.Plans.ContainerSpec;
using Porthole.Contracts.Runners;
using Porthole.Execution.Logging;
using Porthole.Execution.Tests.Support;

namespace Porthole.Execution.Tests.Docker;

/// <summary>
/// The docker executor pulls a job's missing image from its registry, here a <see cref="FakeRegistry"/> in the test,
/// with the login of the job's <c>auth:</c>, which no log or message may show.
/// </summary>
[Collection(DockerCollection.Name)]
public sealed class ImagePullTests : IAsyncLifetime
{
    private const string Password = "s3cret-pass-word";
    private static readonly RegistryAuth Login = new("alice", Password);

    public Task InitializeAsync() => DockerTestImages.EnsureAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task An_image_only_in_a_registry_is_pulled_with_its_progress_in_the_log_and_the_steps_run_in_it()
    {
        using var harness = new DockerHarness();
        await using var registry = await FakeRegistry.StartAsync(harness.Client, DockerTestImages.Busybox);
        var job = DockerHarness.Job([Plans.Run("run", "echo pulled-and-ran")], new ContainerSpec(registry.Image));

        var completion = await RunAndRemoveImageAsync(harness, registry, Plans.Assignment(job));

        Assert.True(completion.Result == NodeResult.Success, completion.Message + "\n" + harness.Reporter.Log);
        Assert.Contains("pulled-and-ran\n", harness.Reporter.StepLog(1), StringComparison.Ordinal);
        var setup = harness.Reporter.StepLog(0);
        Assert.Contains($"Pulling image {registry.Image}\n", setup, StringComparison.Ordinal);
        // The engine names a layer by the first 12 hex digits of its blob's digest.
        var layer = registry.Layers[0]["sha256:".Length..][..12];
        Assert.Contains($"{layer}: Download complete\n", setup, StringComparison.Ordinal);
        Assert.Contains($"{layer}: Pull complete\n", setup, StringComparison.Ordinal);
        Assert.Contains(registry.Requests, r => r.Method == "GET" && r.Target.EndsWith("/blobs/" + registry.Layers[0], StringComparison.Ordinal));
        await harness.AssertNothingLeftAsync();
    }

    [Fact]
    public async Task The_auth_of_an_image_logs_in_to_its_registry_with_a_project_variable_that_no_log_shows()
    {
        using var harness = new DockerHarness();
        await using var registry = await FakeRegistry.StartAsync(harness.Client, DockerTestImages.Busybox, Login);
        var job = DockerHarness.Job(
            [Plans.Run("run", "echo pulled-and-ran")],
            new ContainerSpec(registry.Image) { Auth = new RegistryAuth("alice", "$REGISTRY_PASSWORD") });

        var completion = await RunAndRemoveImageAsync(
            harness, registry, Plans.Assignment(job, variables: [new ProjectVariable("REGISTRY_PASSWORD", Password, Secret: true)]));

        Assert.True(completion.Result == NodeResult.Success, completion.Message + "\n" + harness.Reporter.Log);
        Assert.Contains("pulled-and-ran\n", harness.Reporter.StepLog(1), StringComparison.Ordinal);
        Assert.Contains(registry.Requests, r => r.Authenticated && r.Target.Contains("/manifests/", StringComparison.Ordinal));
        Assert.Contains(registry.Requests, r => r.Authenticated && r.Target.Contains("/blobs/", StringComparison.Ordinal));
        AssertNotShown(Password, harness, completion);
    }

    [Fact]
    public async Task A_wrong_password_ends_the_node_as_an_infrastructure_failure_with_the_registry_s_reason()
    {
        const string wrong = "not-the-s3cret-password";
        using var harness = new DockerHarness();
        await using var registry = await FakeRegistry.StartAsync(harness.Client, DockerTestImages.Busybox, Login);
        var job = DockerHarness.Job(
            [Plans.Run("never", "echo never")],
            new ContainerSpec(registry.Image) { Auth = new RegistryAuth("alice", "$REGISTRY_PASSWORD") });

        var completion = await RunAndRemoveImageAsync(
            harness, registry, Plans.Assignment(job, variables: [new ProjectVariable("REGISTRY_PASSWORD", wrong, Secret: true)]));

        Assert.Equal(NodeResult.InfrastructureFail, completion.Result);
        Assert.Contains($"The image '{registry.Image}' could not be pulled: ", completion.Message, StringComparison.Ordinal);
        Assert.Contains("unauthorized", completion.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(registry.Requests, r => r.Target.Contains("/manifests/", StringComparison.Ordinal));
        Assert.DoesNotContain(registry.Requests, r => r.Authenticated || r.Target.Contains("/blobs/", StringComparison.Ordinal));
        Assert.Equal(StepState.Failed, harness.Reporter.Final(0).State);
        Assert.Equal(StepState.Skipped, harness.Reporter.Final(1).State);
        AssertNotShown(wrong, harness, completion);
        AssertNotShown(Password, harness, completion);
        await harness.AssertNothingLeftAsync();
    }

    [Fact]
    public async Task An_auth_naming_no_project_variable_fails_the_node_naming_it_before_any_pull()
    {
        using var harness = new DockerHarness();
        await using var registry = await FakeRegistry.StartAsync(harness.Client, DockerTestImages.Busybox, Login);
        var job = DockerHarness.Job(
            [Plans.Run("never", "echo never")],
            new ContainerSpec(registry.Image) { Auth = new RegistryAuth("alice", "$REGISTRY_PASSWORD") });

        var completion = await RunAndRemoveImageAsync(
            harness, registry, Plans.Assignment(job, variables: [new ProjectVariable("OTHER_PASSWORD", Password, Secret: true)]));

        Assert.Equal(NodeResult.InfrastructureFail, completion.Result);
        Assert.Contains("$REGISTRY_PASSWORD", completion.Message, StringComparison.Ordinal);
        Assert.Contains($"'{registry.Image}'", completion.Message, StringComparison.Ordinal);
        Assert.Empty(registry.Requests);
        Assert.DoesNotContain("Pulling image", harness.Reporter.Log, StringComparison.Ordinal);
        await harness.AssertNothingLeftAsync();
    }

    /// <summary>
    /// Runs the node with the registry's image absent from the engine before and after, so that every run pulls it
    /// and none leaves it behind.
    /// </summary>
    private static async Task<NodeCompletion> RunAndRemoveImageAsync(DockerHarness harness, FakeRegistry registry, NodeAssignment assignment)
    {
        await RemoveImageAsync(harness.Client, registry.Image);
        try
        {
            return await harness.RunAsync(assignment);
        }
        finally
        {
            await RemoveImageAsync(harness.Client, registry.Image);
        }
    }

    private static async Task RemoveImageAsync(IDockerClient client, string image)
    {
        try
        {
            await client.Images.DeleteImageAsync(image, new ImageDeleteParameters { Force = true });
        }
        catch (DockerImageNotFoundException)
        {
        }
    }

    /// <summary>
    /// The password is in neither the log nor the message, and the log's masker found nothing to hide, so that a leak
    /// is caught even where masking would have hidden it.
    /// </summary>
    private static void AssertNotShown(string password, DockerHarness harness, NodeCompletion completion)
    {
        var log = harness.Reporter.Log;
        Assert.DoesNotContain(password, log, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretValues.Mask, log, StringComparison.Ordinal);
        Assert.DoesNotContain(password, completion.Message ?? string.Empty, StringComparison.Ordinal);
    }
}
