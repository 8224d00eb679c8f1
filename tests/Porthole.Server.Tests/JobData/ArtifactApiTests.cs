using System.Net.Http.Json;
using System.Text;
using Porthole.Contracts.Api;
using Porthole.Contracts.Runners;
using Porthole.Server.JobData;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.JobData;

/// <summary>
/// Artifacts (§A5 store_artifacts) stored through the runner service and read through the real HTTP API: the list in
/// CircleCI v2's shape, each file byte-identical with headers that keep an HTML artifact from scripting the site, the
/// log's access rules, and clear 404s.
/// </summary>
public sealed class ArtifactApiTests : IAsyncLifetime
{
    private const string Config = """
        version: 2.1
        jobs:
          build:
            parallelism: 2
            steps:
              - run: echo build
        workflows:
          main:
            jobs:
              - build
        """;

    private readonly TempFolder _data = new();
    private GitRepository _repository = null!;
    private JobDataServer _server = null!;

    public async Task InitializeAsync()
    {
        _repository = GitRepository.WithFiles((".circleci/config.yml", Config));
        _server = await JobDataServer.StartAsync(_data.Path);
        await _server.AddProjectAsync("app", _repository.Path);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _repository.Dispose();
        _data.Dispose();
    }

    [Fact]
    public async Task Artifacts_are_listed_by_node_and_path_and_downloaded_byte_identical_with_safe_headers()
    {
        await _server.TriggerAsync("app");
        var node0 = await _server.LeaseAsync();
        var node1 = await _server.LeaseAsync();
        var big = JobDataServer.RandomBytes(3 * 1024 * 1024 + 5);
        var html = Encoding.UTF8.GetBytes("<html><script>fetch('/api/users/me')</script></html>");
        var text = Encoding.UTF8.GetBytes("plain words\n");
        var png = new byte[] { 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3 };
        await StoreAsync(node0, "reports/coverage/index.html", html);
        await StoreAsync(node0, "build/app bin ü.tar", big);
        await StoreAsync(node1, "logs/out.txt", text);
        await StoreAsync(node1, "shots/home.png", png);

        var list = await _server.Client.GetFromJsonAsyncOrFail<ArtifactList>($"/api/jobs/{node0.JobId}/artifacts");
        Assert.Equal(
            [(0, "build/app bin ü.tar", big.Length), (0, "reports/coverage/index.html", html.Length), (1, "logs/out.txt", text.Length), (1, "shots/home.png", png.Length)],
            list.Items.Select(i => (i.NodeIndex, i.Path, (int)i.Size)));
        var binary = list.Items[0];
        Assert.Equal($"/api/jobs/{node0.JobId}/artifacts/0/build/app%20bin%20%C3%BC.tar?attempt=1", binary.Url);

        var response = await _server.Client.GetAsync(binary.Url);
        await Expect.StatusAsync(response, 200);
        Assert.Equal(big, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(big.Length, response.Content.Headers.ContentLength);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);

        // An HTML artifact cannot run in the site's origin: sandboxed, not sniffed, downloaded rather than shown.
        response = await _server.Client.GetAsync(list.Items[1].Url);
        Assert.Equal(html, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal("sandbox", string.Join(';', response.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("nosniff", string.Join(';', response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);

        // Plain text and images are shown in the browser, still sandboxed.
        response = await _server.Client.GetAsync(list.Items[2].Url);
        Assert.Equal(text, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal("inline", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("sandbox", string.Join(';', response.Headers.GetValues("Content-Security-Policy")));
        response = await _server.Client.GetAsync(list.Items[3].Url);
        Assert.Equal(png, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("inline", response.Content.Headers.ContentDisposition?.DispositionType);

        // A range of a big artifact (a download that resumes).
        using var ranged = new HttpRequestMessage(HttpMethod.Get, binary.Url);
        ranged.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(1000, 1999);
        response = await _server.Client.SendAsync(ranged);
        await Expect.StatusAsync(response, 206);
        Assert.Equal(big[1000..2000], await response.Content.ReadAsByteArrayAsync());

        // The web's view is the API's list.
        var view = await _server.Get<JobDataViews>().ArtifactsAsync(node0.JobId, 1, CancellationToken.None);
        Assert.Equal(list.Items, view.Items);
    }

    [Fact]
    public async Task Someone_who_may_not_read_the_project_gets_the_logs_404_and_unknown_artifacts_nodes_and_attempts_a_clear_404()
    {
        await _server.TriggerAsync("app");
        var node = await _server.LeaseAsync();
        await StoreAsync(node, "secret-report.txt", Encoding.UTF8.GetBytes("do not leak"));
        var url = $"/api/jobs/{node.JobId}/artifacts/0/secret-report.txt";

        using var stranger = _server.ClientFor(await _server.CreateUserAsync("stranger"));
        var log = await Expect.ProblemAsync(await stranger.GetAsync($"/api/jobs/{node.JobId}/log"), 404, ErrorCodes.JobNotFound);
        var list = await Expect.ProblemAsync(await stranger.GetAsync($"/api/jobs/{node.JobId}/artifacts"), 404, ErrorCodes.JobNotFound);
        var file = await Expect.ProblemAsync(await stranger.GetAsync(url), 404, ErrorCodes.JobNotFound);
        Assert.Equal(log.GetProperty("detail").GetString(), list.GetProperty("detail").GetString());
        Assert.Equal(log.GetProperty("detail").GetString(), file.GetProperty("detail").GetString());
        using var anonymous = _server.ClientFor(null);
        Assert.Equal(401, (int)(await anonymous.GetAsync(url)).StatusCode);

        await Expect.ProblemAsync(await _server.Client.GetAsync($"/api/jobs/{node.JobId}/artifacts/0/missing.txt"), 404, JobDataApi.ArtifactNotFound);
        await Expect.ProblemAsync(await _server.Client.GetAsync($"/api/jobs/{node.JobId}/artifacts/0/secret-report.txt?attempt=2"), 404, ErrorCodes.NotFound);
        await Expect.ProblemAsync(await _server.Client.GetAsync($"/api/jobs/{node.JobId}/artifacts?attempt=7"), 404, ErrorCodes.NotFound);
        await Expect.ProblemAsync(await _server.Client.GetAsync($"/api/jobs/{node.JobId}/artifacts/5/secret-report.txt"), 404, ErrorCodes.NodeNotFound);
        await Expect.ProblemAsync(await _server.Client.GetAsync($"/api/jobs/{node.JobId}/artifacts/x/secret-report.txt"), 400, ErrorCodes.InvalidRequest);
        await Expect.ProblemAsync(await _server.Client.GetAsync($"/api/jobs/{node.JobId}/artifacts/1/secret-report.txt"), 404, JobDataApi.ArtifactNotFound);
        await Expect.ProblemAsync(await _server.Client.GetAsync($"/api/jobs/{node.JobId}/artifacts/0/..%2F..%2Fporthole.db"), 404, JobDataApi.ArtifactNotFound);
        Assert.Equal("do not leak", await _server.Client.GetStringAsync(url));
    }

    [Fact]
    public async Task An_artifact_path_must_be_relative_and_inside_and_stored_again_it_replaces_the_earlier_file()
    {
        await _server.TriggerAsync("app");
        var node = await _server.LeaseAsync();
        var bytes = Encoding.UTF8.GetBytes("x");
        var digest = await _server.UploadAsync(node, bytes);
        foreach (var path in (string[])["/etc/passwd", "../up.txt", "a/./b", "a\\b", ""])
        {
            await Assert.ThrowsAsync<InvalidOperationException>(
                () => _server.Runner.StoreArtifactAsync(node.NodeId, new ArtifactFile(path, digest, bytes.Length), CancellationToken.None));
        }

        await StoreAsync(node, "out.txt", Encoding.UTF8.GetBytes("first"));
        await StoreAsync(node, "out.txt", Encoding.UTF8.GetBytes("second"));
        var list = await _server.Client.GetFromJsonAsyncOrFail<ArtifactList>($"/api/jobs/{node.JobId}/artifacts");
        Assert.Equal("out.txt", Assert.Single(list.Items).Path);
        Assert.Equal("second", await _server.Client.GetStringAsync(list.Items[0].Url));
    }

    private async Task StoreAsync(NodeAssignment node, string path, byte[] bytes)
    {
        var digest = await _server.UploadAsync(node, bytes);
        await _server.Runner.StoreArtifactAsync(node.NodeId, new ArtifactFile(path, digest, bytes.Length), CancellationToken.None);
    }
}
