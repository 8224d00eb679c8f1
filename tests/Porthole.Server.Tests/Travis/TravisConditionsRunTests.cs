using System.Net.Http.Json;
using Porthole.Contracts.Api;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.Travis;

/// <summary>
/// Travis's <c>if:</c> and <c>branches:</c> decided for a real trigger (§B11, §B12): the request's type (an API trigger is
/// <c>api</c>), branch and commit message choose the jobs; a build-level condition that is false, or a branch left
/// out, makes no pipeline and the API says why.
/// </summary>
public sealed class TravisConditionsRunTests : IDisposable
{
    private readonly TempFolder _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Include_entries_are_chosen_by_the_triggers_type_branch_and_commit_message()
    {
        using var repository = GitRepository.WithFiles((".travis.yml", """
            language: shell
            script: echo ok
            jobs:
              include:
                - name: always
                - name: api-only
                  if: type = api
                - name: on-release
                  if: branch = release
                - name: deploy-asked
                  if: commit_message =~ /\[deploy\]/
            """));
        await using var server = await RunningServer.StartAsync(_data.Path);
        await server.AddProjectAsync("t", repository.Path);

        var plain = await server.WaitForPipelineAsync((await server.TriggerAsync("t")).Id);
        repository.Commit("ship it [deploy]");
        var deploying = await server.WaitForPipelineAsync((await server.TriggerAsync("t")).Id);

        Assert.Equal(["always", "api-only"], plain.Workflows.Single().Jobs.Select(j => j.Name));
        Assert.Equal(["always", "api-only", "deploy-asked"], deploying.Workflows.Single().Jobs.Select(j => j.Name));
        Assert.Equal(Status.Success, deploying.Status);
    }

    [Fact]
    public async Task A_false_build_condition_or_a_branch_left_out_makes_no_pipeline_and_says_why()
    {
        using var conditioned = GitRepository.WithFiles((".travis.yml", "language: shell\nif: branch = release\nscript: echo ok\n"));
        using var filtered = GitRepository.WithFiles((".travis.yml", "language: shell\nbranches:\n  only: [release, /^v\\d/]\nscript: echo ok\n"));
        await using var server = await RunningServer.StartAsync(_data.Path);
        await server.AddProjectAsync("conditioned", conditioned.Path);
        await server.AddProjectAsync("filtered", filtered.Path);

        var refused = await server.Client.PostAsJsonAsync("/api/projects/conditioned/pipelines", new TriggerRequest("main", null), ApiJson.Options);
        var left = await server.Client.PostAsJsonAsync("/api/projects/filtered/pipelines", new TriggerRequest("main", null), ApiJson.Options);

        await Expect.StatusAsync(refused, 422);
        Assert.Contains("no build: the build's if: branch = release is false for this trigger", await DetailAsync(refused), StringComparison.Ordinal);
        await Expect.StatusAsync(left, 422);
        Assert.Contains("no build: 'main' is not in branches.only (release, /^v\\d/)", await DetailAsync(left), StringComparison.Ordinal);
    }

    private static async Task<string> DetailAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("detail").GetString()!;
}
