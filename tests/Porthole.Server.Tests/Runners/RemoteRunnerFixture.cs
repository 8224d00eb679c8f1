using System.Net.Http.Headers;
using System.Net.Http.Json;
using Porthole.Contracts.Api;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.Runners;

/// <summary>
/// The server (<c>--no-builtin-runner</c>) and the unlabelled remote runner <see cref="RunnerName"/> that
/// <see cref="RemoteRunnerTests"/> share; the runner advertises and listens for SSH on <see cref="AdvertisedHost"/>.
/// </summary>
public sealed class RemoteRunnerFixture : IAsyncLifetime
{
    public const string RunnerName = "remote-1";

    /// <summary>A loopback address other than the server's default, so the endpoint is seen to be the runner's.</summary>
    public const string AdvertisedHost = "127.0.0.2";

    private readonly TempFolder _data = new();
    private readonly TempFolder _runnerData = new();
    private readonly List<GitRepository> _repositories = [];

    public ServerProcess Server { get; private set; } = null!;

    public RunnerProcess Runner { get; private set; } = null!;

    /// <summary>A client signed in as the server's admin.</summary>
    public HttpClient Admin { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = ServerProcess.Start(_data.Path, "--no-builtin-runner");
        await Server.ReadyAsync();

        Admin = new HttpClient { BaseAddress = new Uri(Server.Url), Timeout = TimeSpan.FromSeconds(60) };
        Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await File.ReadAllTextAsync(Path.Combine(_data.Path, "admin-token"))).Trim());
        var token = await CreateRunnerTokenAsync(RunnerName);
        Runner = RunnerProcess.Start(
            Server.Url,
            token,
            _runnerData.Path,
            new Dictionary<string, string> { ["PORTHOLE_Ssh__ListenAddresses"] = AdvertisedHost },
            "--ssh-advertise-host", AdvertisedHost, "--capacity", "3");
        if (!await Runner.WaitForPrintedAsync("waiting for jobs"))
        {
            throw new InvalidOperationException($"the runner did not register:\n{Runner.Printed}");
        }
    }

    public async Task DisposeAsync()
    {
        if (Runner is not null)
        {
            await Runner.DisposeAsync();
        }

        if (Server is not null)
        {
            await Server.DisposeAsync();
        }

        Admin?.Dispose();
        _repositories.ForEach(r => r.Dispose());
        _runnerData.Dispose();
        _data.Dispose();
    }

    /// <summary>A new runner token (<c>POST /api/runner-tokens</c>).</summary>
    public async Task<string> CreateRunnerTokenAsync(string name)
    {
        var response = await Admin.PostAsJsonAsync("/api/runner-tokens", new CreateRunnerTokenRequest(name), ApiJson.Options);
        await Expect.StatusAsync(response, 201);
        return (await response.Content.ReadFromJsonAsync<CreatedRunnerToken>(ApiJson.Options))!.Token;
    }

    /// <summary>A project of its own whose repository holds <paramref name="config"/> at <paramref name="path"/>, triggered.</summary>
    public async Task<PipelineView> TriggerAsync(string project, string path, string config)
    {
        var repository = GitRepository.WithFiles((path, config));
        lock (_repositories)
        {
            _repositories.Add(repository);
        }

        await Expect.StatusAsync(await Admin.PostAsJsonAsync("/api/projects", new CreateProjectRequest(project, repository.Path, "private"), ApiJson.Options), 201);
        var response = await Admin.PostAsJsonAsync($"/api/projects/{project}/pipelines", new TriggerRequest(null, null), ApiJson.Options);
        await Expect.StatusAsync(response, 201);
        return (await response.Content.ReadFromJsonAsync<PipelineView>(ApiJson.Options))!;
    }

    /// <summary>The job once <paramref name="until"/> holds; fails the test after <paramref name="seconds"/>, with what the runner printed.</summary>
    public async Task<JobView> WaitForJobAsync(long id, Func<JobView, bool> until, int seconds = 90)
    {
        var deadline = TimeProvider.System.GetUtcNow().AddSeconds(seconds);
        while (true)
        {
            var job = (await Admin.GetFromJsonAsync<JobView>($"/api/jobs/{id}", ApiJson.Options))!;
            if (until(job))
            {
                return job;
            }

            if (TimeProvider.System.GetUtcNow() > deadline)
            {
                throw new TimeoutException($"job {id} still {job.Status} after {seconds} s; the runner printed:\n{Runner.Printed}");
            }

            await Task.Delay(100);
        }
    }
}
