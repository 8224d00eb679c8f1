using System.Net.Http.Json;
using Porthole.Contracts.Api;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.Contexts;

/// <summary>
/// <c>add_ssh_keys</c> (§A5) end to end: a key added to the project through the API reaches a job whose config lists
/// its fingerprint, which the job's own ssh-keygen reads back; a job that lists a fingerprint the project lacks fails
/// that step, naming it.
/// </summary>
public sealed class ProjectSshKeysPipelineTests : IAsyncLifetime
{
    private readonly TempFolder _data = new();
    private readonly TempFolder _keys = new();
    private RunningServer _server = null!;

    public async Task InitializeAsync() => _server = await RunningServer.StartAsync(_data.Path);

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _data.Dispose();
        _keys.Dispose();
    }

    [Fact]
    public async Task A_listed_key_is_installed_in_the_job_and_an_unknown_fingerprint_fails_the_step()
    {
        var key = SshKeyFile.Generate(_keys.Path, "deploy");
        var md5 = ProjectSshKeysApiTests.Md5Of(key);
        const string Unknown = "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        using var repository = GitRepository.WithFiles((".circleci/config.yml", $$"""
            version: 2.1
            jobs:
              install:
                steps:
                  - add_ssh_keys:
                      fingerprints:
                        - "MD5:{{md5}}"
                  - run: ssh-keygen -y -f ~/.ssh/id_rsa_{{md5.Replace(":", "", StringComparison.Ordinal)}}
              unknown:
                steps:
                  - add_ssh_keys:
                      fingerprints: ["{{Unknown}}"]
                  - run: echo never
            workflows:
              main:
                jobs: [install, unknown]
            """));
        await _server.AddProjectAsync("app", repository.Path);
        var added = await _server.Client.PostAsJsonAsync(
            "/api/projects/app/ssh-keys", new AddProjectSshKeyRequest(await File.ReadAllTextAsync(key.PrivateKeyPath), null), ApiJson.Options);
        await Expect.StatusAsync(added, 201);

        var pipeline = await _server.WaitForPipelineAsync((await _server.TriggerAsync("app")).Id);

        var jobs = Assert.Single(pipeline.Workflows).Jobs.ToDictionary(j => j.Name);
        var installLog = await _server.LogAsync(jobs["install"].Id);
        Assert.True(jobs["install"].Status == Status.Success, installLog);
        Assert.Contains(string.Join(' ', key.PublicLine.Split(' ').Take(2)), installLog, StringComparison.Ordinal);
        Assert.Equal(Status.Failed, jobs["unknown"].Status);
        var unknownLog = await _server.LogAsync(jobs["unknown"].Id);
        Assert.Contains($"The project has no additional SSH key with the fingerprint '{Unknown}'", unknownLog, StringComparison.Ordinal);
        Assert.DoesNotContain("never\n", unknownLog, StringComparison.Ordinal);
    }
}
