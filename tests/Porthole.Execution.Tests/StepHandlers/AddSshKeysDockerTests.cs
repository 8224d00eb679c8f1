using Porthole.Contracts.Runners;
using Porthole.Execution.Tests.Docker;
using Porthole.Execution.Tests.Support;
using ContainerSpec = Porthole.Contracts.Plans.ContainerSpec;

namespace Porthole.Execution.Tests.StepHandlers;

/// <summary>
/// <c>add_ssh_keys</c> (§A5) in a docker node: the keys go into the container user's own <c>~/.ssh</c>, where ssh reads
/// them without help (its HOME is its account's home, so no wrapper is written).
/// </summary>
[Collection(DockerCollection.Name)]
public sealed class AddSshKeysDockerTests : IAsyncLifetime, IDisposable
{
    private readonly TempFolder _keys = new("porthole-keys-");

    public Task InitializeAsync() => DockerTestImages.EnsureAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _keys.Dispose();

    [Fact]
    public async Task The_keys_are_installed_in_the_container_users_home_and_ssh_reads_them()
    {
        var key = await TestSshKey.MakeAsync(_keys.Path);
        using var harness = new DockerHarness();
        var job = DockerHarness.Job(
            [
                AddSshKeysTests.AddSshKeys("MD5:" + key.Md5),
                Plans.Run("look", $"""
                    stat -c '%a %U %n' ~/.ssh ~/.ssh/{key.FileName}
                    ssh-keygen -y -f ~/.ssh/{key.FileName}
                    echo "deploy: $(ssh -G deploy.example.com | grep '^identityfile ' | tr '\n' ' ')"
                    test ! -e ~/.ssh/porthole-bin && echo "no wrapper"
                    """),
            ],
            new ContainerSpec(DockerTestImages.Debian) { User = "circleci" });

        var completion = await harness.RunAsync(Plans.Assignment(job) with { SshKeys = [key.ForNode("deploy.example.com")] });

        Assert.True(completion.Result == NodeResult.Success, harness.Reporter.Log);
        var look = harness.Reporter.StepLog(2);
        Assert.Contains("700 circleci /home/circleci/.ssh\n", look, StringComparison.Ordinal);
        Assert.Contains($"600 circleci /home/circleci/.ssh/{key.FileName}\n", look, StringComparison.Ordinal);
        Assert.Contains(string.Join(' ', key.PublicLine.Split(' ').Take(2)), look, StringComparison.Ordinal);
        Assert.Contains($"deploy: identityfile /home/circleci/.ssh/{key.FileName} \n", look, StringComparison.Ordinal);
        Assert.Contains("no wrapper\n", look, StringComparison.Ordinal);
        await harness.AssertNothingLeftAsync();
    }
}
