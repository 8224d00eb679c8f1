using Porthole.Contracts.Api;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.JobData;

/// <summary>
/// What a cache may not be, through real pipelines: larger than the project's cap (refused with the cap named, nothing
/// stored); and what it may: a folder with a symbolic link loop (tar keeps links as links, §A5).
/// </summary>
public sealed class JobDataLimitsTests : IAsyncLifetime
{
    private readonly TempFolder _data = new();
    private GitRepository _repository = null!;
    private RunningServer _server = null!;

    public async Task InitializeAsync()
    {
        _repository = GitRepository.WithFiles((".circleci/config.yml", """
            version: 2.1
            jobs:
              too-big:
                steps:
                  - restore_cache:
                      key: big
                  - run: mkdir -p ~/big && head -c 3000000 /dev/urandom > ~/big/random.bin
                  - save_cache:
                      key: big
                      paths: [~/big]
              loop:
                steps:
                  - run: mkdir -p ~/looped/dir && cd ~/looped && ln -s b a && ln -s a b && ln -s .. dir/up && echo kept > dir/file
                  - save_cache:
                      key: loop-{{ .BuildNum }}
                      paths: [~/looped]
                  - run: rm -rf ~/looped
                  - restore_cache:
                      key: loop-
                  - run: cat ~/looped/dir/file && readlink ~/looped/a ~/looped/b ~/looped/dir/up
            workflows:
              main:
                jobs: [too-big, loop]
            """));
        _server = await RunningServer.StartAsync(_data.Path, new Dictionary<string, string?> { ["Porthole:JobData:CacheCapBytes"] = "1000000" });
        await _server.AddProjectAsync("app", _repository.Path);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _repository.Dispose();
        _data.Dispose();
    }

    [Fact]
    public async Task A_cache_over_the_projects_cap_is_refused_naming_the_cap_and_a_link_loop_is_kept_as_links()
    {
        var triggered = await _server.TriggerAsync("app", "main");
        var pipeline = await _server.WaitForPipelineAsync(triggered.Id, seconds: 120);
        var jobs = pipeline.Workflows.Single().Jobs.ToDictionary(j => j.Name);

        var big = await _server.LogAsync(jobs["too-big"].Id);
        Assert.True(jobs["too-big"].Status == Status.Failed, big);
        Assert.Contains("past the project's cap of 976.6 KB (the server's Porthole:JobData:CacheCapBytes)", big);

        // Nothing of it was stored: the next pipeline finds no cache under its key.
        var next = await _server.WaitForPipelineAsync((await _server.TriggerAsync("app", "main")).Id, seconds: 120);
        Assert.Contains("no cache is found for key: big", await _server.LogAsync(next.Workflows.Single().Jobs.Single(j => j.Name == "too-big").Id));

        var loop = await _server.LogAsync(jobs["loop"].Id);
        Assert.True(jobs["loop"].Status == Status.Success, loop);
        Assert.Contains("kept\nb\na\n..\n", loop);
    }
}
