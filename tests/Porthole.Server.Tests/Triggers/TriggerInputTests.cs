using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Porthole.Contracts.Api;
using Porthole.Contracts.Plans;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.Triggers;

/// <summary>
/// <c>POST /api/projects/{name}/pipelines</c> with a tag and pipeline parameters: the config is compiled with the
/// trigger's values (§A1.6: <c>&lt;&lt; pipeline.* &gt;&gt;</c>, §A0 step 2: parameters), and the pipeline records them.
/// </summary>
public sealed class TriggerInputTests : IAsyncLifetime
{
    private const string Config = """
        version: 2.1
        parameters:
          greeting:
            type: string
            default: hello
          loud:
            type: boolean
            default: false
        jobs:
          build:
            steps:
              - run: echo "greeting=<< pipeline.parameters.greeting >> loud=<< pipeline.parameters.loud >> tag=<< pipeline.git.tag >> branch=<< pipeline.git.branch >> source=<< pipeline.trigger_source >> number=<< pipeline.number >> id=<< pipeline.id >> revision=<< pipeline.git.revision >> base=<< pipeline.git.base_revision >>."
              - run: echo "env tag=[${CIRCLE_TAG:-}] branch=[${CIRCLE_BRANCH:-}]"
        workflows:
          main:
            jobs:
              - build:
                  filters:
                    tags:
                      only: /.*/
        """;

    private readonly TempFolder _data = new();
    private GitRepository _repository = null!;
    private TriggerServer _server = null!;

    public async Task InitializeAsync()
    {
        _repository = GitRepository.WithFiles((".circleci/config.yml", Config));
        _server = await TriggerServer.StartAsync(_data.Path);
        await _server.AddProjectAsync("app", _repository.Path);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _repository.Dispose();
        _data.Dispose();
    }

    [Fact]
    public async Task Parameters_and_pipeline_values_reach_the_plan_and_the_pipeline_records_them()
    {
        var first = await CreatedAsync(await _server.TriggerAsync("app", new { @ref = "main", parameters = new { greeting = "bonjour", loud = true } }));

        Assert.Equal("main", first.Branch);
        Assert.Null(first.Tag);
        Assert.Equal("api", first.TriggerSource);
        Assert.Equal([new PipelineParameter("greeting", "bonjour"), new PipelineParameter("loud", "true")], first.Parameters!.OrderBy(p => p.Name));
        var log = await _server.FirstJobLogAsync(first.Id);
        Assert.Contains(
            $"greeting=bonjour loud=true tag= branch=main source=api number=1 id={first.Id} revision={first.Commit} base=.",
            log,
            StringComparison.Ordinal);

        // The branch's next pipeline: the declared defaults, and the previous pipeline's commit as the base revision.
        var next = _repository.Commit("second");
        var second = await CreatedAsync(await _server.TriggerAsync("app", new { @ref = "main" }));
        Assert.Equal(next, second.Commit);
        Assert.Equal(2, second.Number);
        Assert.Contains(
            $"greeting=hello loud=false tag= branch=main source=api number=2 id={second.Id} revision={next} base={first.Commit}.",
            await _server.FirstJobLogAsync(second.Id),
            StringComparison.Ordinal);
        var stored = (await _server.Client.GetFromJsonAsync<PipelineView>($"/api/pipelines/{first.Id}", ApiJson.Options))!;
        Assert.Equal(first.Parameters!.OrderBy(p => p.Name), stored.Parameters!.OrderBy(p => p.Name));
    }

    [Fact]
    public async Task A_tag_builds_refs_tags_and_a_ref_that_is_a_tag_is_a_tag_pipeline_too()
    {
        var tagged = _repository.Commit("release");
        _repository.Run("tag", "v1.2.3");
        _repository.Commit("after the release");

        var byTag = await CreatedAsync(await _server.TriggerAsync("app", new { tag = "v1.2.3" }));
        var byRef = await CreatedAsync(await _server.TriggerAsync("app", new { @ref = "v1.2.3" }));

        foreach (var pipeline in new[] { byTag, byRef })
        {
            Assert.Equal("v1.2.3", pipeline.Tag);
            Assert.Null(pipeline.Branch);
            Assert.Equal(tagged, pipeline.Commit);

            // §A1.6: pipeline.git.branch is empty on a tag pipeline; §A6: the job has a tag filter, so it runs.
            var log = await _server.FirstJobLogAsync(pipeline.Id);
            Assert.Contains($"tag=v1.2.3 branch= source=api number={pipeline.Number.ToString(CultureInfo.InvariantCulture)} ", log, StringComparison.Ordinal);

            // VAR: a tag pipeline's jobs get CIRCLE_TAG and no CIRCLE_BRANCH.
            Assert.Contains("env tag=[v1.2.3] branch=[]", log, StringComparison.Ordinal);
        }

        var missing = await _server.TriggerAsync("app", new { tag = "v9.9.9" });
        await Expect.ProblemAsync(missing, 404, ErrorCodes.RefNotFound);

        // A branch is not a tag: --tag main names refs/tags/main, which does not exist.
        await Expect.ProblemAsync(await _server.TriggerAsync("app", new { tag = "main" }), 404, ErrorCodes.RefNotFound);
    }

    [Theory]
    [InlineData("""{"parameters": {"greeting": ["a"]}}""", "a list")]
    [InlineData("""{"parameters": {"greeting": {"a": 1}}}""", "an object")]
    [InlineData("""{"parameters": {"greeting": null}}""", "null")]
    [InlineData("""{"ref": "main", "tag": "v1"}""", "not both")]
    [InlineData("""{"tag": "refs/tags/v1"}""", "tag's name")]
    [InlineData("""{"tag": "-v1"}""", "tag's name")]
    public async Task Malformed_trigger_inputs_are_400_and_start_nothing(string body, string said)
    {
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        var response = await _server.Client.PostAsync("/api/projects/app/pipelines", content);

        var problem = await Expect.ProblemAsync(response, 400, ErrorCodes.InvalidRequest);
        Assert.Contains(said, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(await _server.PipelinesAsync("app"));
    }

    [Theory]
    [InlineData("nope", "1")]
    [InlineData("loud", "maybe")]
    public async Task A_parameter_the_config_does_not_declare_or_of_the_wrong_type_is_a_config_error_with_its_place(string name, string value)
    {
        var response = await _server.TriggerAsync("app", new { parameters = new Dictionary<string, string> { [name] = value } });

        var problem = await Expect.ProblemAsync(response, 422, ErrorCodes.ConfigInvalid);
        var error = problem.GetProperty("errors").EnumerateArray().First();
        Assert.Equal(".circleci/config.yml", error.GetProperty("file").GetString());
        Assert.True(error.GetProperty("line").GetInt32() >= 1, problem.ToString());
        Assert.Contains(name, error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(await _server.PipelinesAsync("app"));

        // A refused trigger takes no number: the next pipeline is #1.
        var next = await CreatedAsync(await _server.TriggerAsync("app", new { @ref = "main" }));
        Assert.Equal(1, next.Number);
    }

    [Fact]
    public async Task Concurrent_triggers_of_a_project_get_consecutive_numbers_each_compiled_with_its_own()
    {
        var triggers = Enumerable.Range(0, 4).Select(_ => _server.TriggerAsync("app", new { @ref = "main" })).ToList();
        var pipelines = new List<PipelineView>();
        foreach (var response in await Task.WhenAll(triggers))
        {
            pipelines.Add(await CreatedAsync(response));
        }

        Assert.Equal([1, 2, 3, 4], pipelines.Select(p => p.Number).Order());
        foreach (var pipeline in pipelines)
        {
            Assert.Contains(
                $"number={pipeline.Number.ToString(CultureInfo.InvariantCulture)} id={pipeline.Id} ",
                await _server.FirstJobLogAsync(pipeline.Id),
                StringComparison.Ordinal);
        }
    }

    private static async Task<PipelineView> CreatedAsync(HttpResponseMessage response)
    {
        await Expect.StatusAsync(response, 201);
        return JsonSerializer.Deserialize<PipelineView>(await response.Content.ReadAsStringAsync(), ApiJson.Options)!;
    }
}
